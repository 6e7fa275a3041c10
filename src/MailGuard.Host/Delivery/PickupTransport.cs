using System.Text.Json;
using MailGuard.Core.Store;

namespace MailGuard.Host.Delivery;

/// <summary>
/// Delivery:Mode=Pickup: each message becomes &lt;name&gt;.eml (the exact bytes that would go upstream)
/// and &lt;name&gt;.json ({"mailFrom", "rcptTo"}), each written to a temp file, fsynced and renamed, the
/// .eml first so a reader that waits for the .json always finds both; then the directory is synced.
/// The temp files are written in the subfolder tmp/ (Maildir's way), never beside the final ones: a
/// program listing the directory sees only finished messages, and never one message twice.
/// </summary>
internal sealed class PickupTransport(string directory) : IDeliveryTransport
{
    /// <summary>The subfolder of the pickup directory that holds files being written.</summary>
    public const string TempFolder = "tmp";

    public string Directory { get; } = System.IO.Directory.CreateDirectory(directory).FullName;

    public string TempDirectory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(directory, TempFolder)).FullName;

    public bool IsRemote => false;

    public IDeliverySession OpenSession() => new Session(this);

    private sealed class Session(PickupTransport owner) : IDeliverySession
    {
        public Task<TransportResult> SendAsync(OutgoingDelivery delivery, CancellationToken cancellationToken)
        {
            var recipients = delivery.Recipients.Select(r => r.Address).ToArray();
            string name = delivery.WholeMessage ? delivery.Message.Id : $"{delivery.Message.Id}-{delivery.Recipients[0].EntryId}";
            string eml = Path.Combine(owner.Directory, name + ".eml");
            string json = Path.Combine(owner.Directory, name + ".json");
            string temp = FileSync.TempPathFor(eml, owner.TempDirectory);
            try
            {
                // Synchronous and unbuffered on purpose: the copy goes 64 KiB at a time straight from the
                // spool (page cache) to the page cache, where .NET's asynchronous file I/O on Linux would add
                // a thread-pool hop per write and FileStream's buffer a second copy. The fsync is what takes time.
                cancellationToken.ThrowIfCancellationRequested();
                using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
                {
                    delivery.Content.CopyTo(output, 64 * 1024);
                    output.Flush(flushToDisk: true);
                }

                File.Move(temp, eml, overwrite: true);
                var envelope = JsonSerializer.SerializeToUtf8Bytes(new PickupEnvelope(delivery.Message.MailFrom, recipients), PickupJson.Default.PickupEnvelope);
                FileSync.WriteAtomically(json, envelope, owner.TempDirectory);
                FileSync.SyncDirectory(owner.Directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Disk full or a permissions mistake: the queue keeps the message and retries. A
                // half-written temp file would only take space the retry needs.
                TryDelete(temp);
                string reply = $"451 4.3.0 pickup directory not writable ({ex.GetType().Name})";
                return Task.FromResult(new TransportResult(recipients.Select(r => new RecipientAttempt(r, RecipientAttemptStatus.Transient, reply, "4.3.0")).ToArray(), UpstreamFailure: false, RemoteMta: null));
            }

            return Task.FromResult(new TransportResult(recipients.Select(r => new RecipientAttempt(r, RecipientAttemptStatus.Delivered, "250 2.0.0 written to pickup directory", "2.0.0")).ToArray(), UpstreamFailure: false, RemoteMta: null));
        }

        public Task IdleAsync() => Task.CompletedTask;

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The failure being reported already says the directory is unusable.
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

internal sealed record PickupEnvelope(string MailFrom, string[] RcptTo);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PickupEnvelope))]
internal sealed partial class PickupJson : System.Text.Json.Serialization.JsonSerializerContext;
