using System.Globalization;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard queue list|retry ID|delete ID [--json] [--config FILE] [--Section:Key=value]`, on the
/// store `run` uses (SQLite in WAL mode allows this beside a running relay). Exit 0 on success,
/// 1 when the message does not exist, 2 on usage or configuration errors.
/// </summary>
internal static partial class QueueCommand
{
    /// <summary><paramref name="verb"/> is list, retry or delete; <paramref name="id"/> is null for list only.</summary>
    public static int Run(string verb, string? id, bool json, bool all, ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr)
    {
        if (!arguments.TryLoad(out var configuration, out string? error))
        {
            stderr.WriteLine("mailguard queue: " + error);
            return 2;
        }

        var options = ConfigurationLoader.Bind(configuration, out var errors);
        // Only storage matters here; a relay setting that would stop `run` must not stop an operator's look at the queue.
        errors = errors.Where(e => e.StartsWith("Storage:", StringComparison.Ordinal)).ToList();
        if (errors.Count > 0)
        {
            foreach (string e in errors)
            {
                stderr.WriteLine("mailguard queue: " + e);
            }

            return 2;
        }

        if (id is not null && !MessageIds.IsValid(id))
        {
            stderr.WriteLine($"mailguard queue: '{id}' is not a queue id");
            return 2;
        }

        using var logging = Logging.LogSetup.ForCli(configuration, stderr);
        var logger = logging.CreateLogger(typeof(QueueCommand).FullName!);
        return RunAsync(verb, id, json, all, options, logger, stdout, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string verb, string? id, bool json, bool all, MailGuardOptions options, ILogger logger, TextWriter stdout, TextWriter stderr)
    {
        string actor = CliActor.Current;
        string directory = Path.GetFullPath(options.Storage.Directory);
        if (!StoreFactory.Exists(options))
        {
            stderr.WriteLine($"mailguard queue: no store in {directory}");
            return 2;
        }

        var spool = new MessageSpool(directory);
        await using var store = StoreFactory.Create(options, spool.Directory, TimeProvider.System);
        await store.InitializeAsync();
        switch (verb)
        {
            case "list":
                // Like mailq: what is still waiting or has failed; --all adds delivered entries.
                var statuses = all ? null : new[] { QueueEntryStatus.Queued, QueueEntryStatus.Failed };
                var entries = await store.ListAsync(new QueueQuery(statuses, Limit: 100_000));
                if (json)
                {
                    foreach (var e in entries)
                    {
                        stdout.WriteLine(JsonSerializer.Serialize(new QueueEntryJson(e.MessageId, e.EntryId, e.MailFrom, e.Recipient, e.Status.ToString().ToLowerInvariant(), e.Attempts, e.ReceivedAt, e.NextAttemptAt, e.Size, e.LastReply, e.LeaseOwner), QueueJson.Default.QueueEntryJson));
                    }
                }
                else
                {
                    stdout.WriteLine($"{"QUEUE ID",-20} {"STATUS",-9} {"TRIES",5} {"NEXT ATTEMPT (UTC)",-19} {"SIZE",9}  FROM -> TO  LAST REPLY");
                    foreach (var e in entries)
                    {
                        string next = e.Status == QueueEntryStatus.Queued ? e.NextAttemptAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";
                        stdout.WriteLine($"{e.MessageId,-20} {e.Status.ToString().ToLowerInvariant(),-9} {e.Attempts,5} {next,-19} {e.Size,9}  <{e.MailFrom}> -> <{e.Recipient}>  {e.LastReply}");
                    }

                    stdout.WriteLine($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}, {entries.Count(e => e.Status == QueueEntryStatus.Queued)} queued");
                }

                return 0;
            case "retry":
                if (await store.GetMessageAsync(id!) is null)
                {
                    stderr.WriteLine($"mailguard queue: no message {id}");
                    return 1;
                }

                int n = await store.RequeueAsync(id!);
                LogRetried(logger, id!, actor, n);
                WriteResult(stdout, json, id!, "retry", n);
                return 0;
            default:
                if (!await store.DeleteAsync(id!))
                {
                    stderr.WriteLine($"mailguard queue: no message {id}");
                    return 1;
                }

                spool.Delete(id!);
                LogDeleted(logger, id!, actor);
                WriteResult(stdout, json, id!, "delete", 1);
                return 0;
        }
    }

    private static void WriteResult(TextWriter stdout, bool json, string id, string action, int entries)
    {
        stdout.WriteLine(json
            ? JsonSerializer.Serialize(new QueueActionJson(id, action, entries), QueueJson.Default.QueueActionJson)
            : action == "retry" ? $"{id}: {entries} queued entr{(entries == 1 ? "y" : "ies")} due now" : $"{id}: deleted");
    }
}

internal sealed record QueueEntryJson(string Id, long Entry, string MailFrom, string Recipient, string Status, int Attempts, DateTimeOffset ReceivedAt, DateTimeOffset NextAttemptAt, long Size, string? LastReply, string? LeaseOwner);

internal sealed record QueueActionJson(string Id, string Action, int Entries);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(QueueEntryJson))]
[System.Text.Json.Serialization.JsonSerializable(typeof(QueueActionJson))]
internal sealed partial class QueueJson : System.Text.Json.Serialization.JsonSerializerContext;
