using System.CommandLine;
using System.Globalization;
using MailGuard.Core.Store;
using MailGuard.Host.Review;

namespace MailGuard.Host.Commands;

/// <summary>
/// ARCHITECTURE.md's command-line contract as one System.CommandLine tree: every verb and sub-verb
/// with its typed, described options and arguments, and an action that hands the parsed values to
/// the verb's own class. Help, parse errors and the [suggest] directive come from the tree.
/// </summary>
internal static class CommandTree
{
    /// <param name="settings">The `--Section:Key=value` tokens <see cref="Cli"/> took out before parsing.</param>
    /// <param name="stdin">Where hash-password reads the password.</param>
    public static RootCommand Build(IReadOnlyList<string> settings, TextReader stdin)
    {
        var root = new RootCommand("MailGuard, an outbound-email DLP SMTP relay: the relay itself and the tools that inspect mail and work on its store.")
        {
            // The executable's name would be "testhost" under a test runner and "dotnet" in some hosts.
            HelpName = "mailguard",
        };
        root.Subcommands.Add(Run(settings));
        root.Subcommands.Add(Scan(settings));
        root.Subcommands.Add(MimeDump(settings));
        root.Subcommands.Add(Quarantine(settings));
        root.Subcommands.Add(Queue(settings));
        root.Subcommands.Add(Token(settings));
        root.Subcommands.Add(User(settings));
        root.Subcommands.Add(HashPassword(settings, stdin));
        root.Subcommands.Add(HealthCheck(settings));
        root.Subcommands.Add(Addin(settings));
        return root;
    }

    private static Command Run(IReadOnlyList<string> settings)
    {
        var config = ConfigOption();
        var command = new Command("run", "Run the SMTP relay, the delivery worker and the review console until SIGTERM or Ctrl+C.") { config };
        command.SetAction(p => RunCommand.Run(Configuration(p, config, settings), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    private static Command Scan(IReadOnlyList<string> settings)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "An .eml file, or a folder whose .eml files (subfolders included) are scanned.",
            Arity = ArgumentArity.OneOrMore,
        };
        // An option this verb does not know would otherwise be taken for a path.
        paths.Validators.Add(result =>
        {
            foreach (string path in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (path.StartsWith("--", StringComparison.Ordinal))
                {
                    result.AddError($"Unrecognized option '{path}'.");
                }
            }
        });
        var json = new Option<bool>("--json") { Description = "One JSON object per file per line (README: scan --json) instead of a table." };
        var config = ConfigOption();
        var command = new Command("scan", "Inspect .eml files offline with the configured policy. Exit 0 when every file was read, 2 on unreadable input.") { paths, json, config };
        command.SetAction(p => ScanCommand.Run(p.GetRequiredValue(paths), p.GetValue(json), Configuration(p, config, settings), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    private static Command MimeDump(IReadOnlyList<string> settings)
    {
        var file = new Argument<string>("FILE") { Description = "The message to parse." };
        var command = new Command("mime-dump", "Print the parse of one message as JSON (schema mailguard-mime-oracle/1).") { file };
        ReadsNoConfiguration(command, settings);
        command.SetAction(p => MimeDumpCommand.Run(p.GetRequiredValue(file), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    private static Command Quarantine(IReadOnlyList<string> settings)
    {
        var command = new Command("quarantine", "Held messages in the store `run` uses: list, show, release, return, delete. Exit 1 when a message is not (or no longer) held.");
        command.Subcommands.Add(QuarantineVerb("list", "Held messages, newest first.", settings));
        command.Subcommands.Add(QuarantineVerb("show", "A held message's envelope, findings (masked) and audit trail.", settings));
        command.Subcommands.Add(QuarantineVerb("release", "Deliver the original bytes to the original envelope recipients.", settings));
        command.Subcommands.Add(QuarantineVerb("return", "Send the sender a bounce-back warning with the original (verified senders only).", settings));
        command.Subcommands.Add(QuarantineVerb("delete", "Drop the content; the record and its audit trail stay.", settings));
        return command;
    }

    private static Command QuarantineVerb(string verb, string description, IReadOnlyList<string> settings)
    {
        var command = new Command(verb, description);
        Argument<string>? id = null;
        Option<bool>? all = null;
        Option<bool>? bccFix = null;
        Option<bool>? confirm = null;
        Option<string>? reason = null;
        Option<string>? note = null;
        if (verb == "list")
        {
            all = new Option<bool>("--all") { Description = "Every status, not only held messages." };
            command.Options.Add(all);
        }
        else
        {
            id = MessageIdArgument("The message's id (as `list` shows it).");
            command.Arguments.Add(id);
        }

        if (verb == "release")
        {
            bccFix = new Option<bool>("--bcc-fix") { Description = "Deliver a copy whose To/Cc keep only internal addresses." };
            command.Options.Add(bccFix);
            confirm = new Option<bool>("--confirm") { Description = "Confirm what a release of personal data sends (without it the command says what would leave, and does nothing)." };
            command.Options.Add(confirm);
        }

        if (verb is "release" or "return" or "delete")
        {
            reason = new Option<string>("--reason") { Description = "Why, for the audit log (never mailed to the sender).", HelpName = "TEXT" };
            command.Options.Add(reason);
            note = new Option<string>("--note") { Description = "A note to the sender, in the notice that tells them of the decision.", HelpName = "TEXT" };
            command.Options.Add(note);
        }

        var json = JsonOption();
        var config = ConfigOption();
        command.Options.Add(json);
        command.Options.Add(config);
        command.SetAction(p => QuarantineCommand.Run(
            verb,
            id is null ? null : p.GetRequiredValue(id),
            reason is null ? null : p.GetValue(reason),
            note is null ? null : p.GetValue(note),
            p.GetValue(json),
            all is not null && p.GetValue(all),
            bccFix is not null && p.GetValue(bccFix),
            confirm is not null && p.GetValue(confirm),
            Configuration(p, config, settings),
            p.InvocationConfiguration.Output,
            p.InvocationConfiguration.Error));
        return command;
    }

    private static Command Queue(IReadOnlyList<string> settings)
    {
        var command = new Command("queue", "Delivery queue entries in the store `run` uses; works beside a running relay. Exit 1 when the message does not exist.");
        command.Subcommands.Add(QueueVerb("list", "Waiting and failed entries.", settings));
        command.Subcommands.Add(QueueVerb("retry", "Make the deferred entries of a message due now.", settings));
        command.Subcommands.Add(QueueVerb("delete", "Remove a message, its entries and its content.", settings));
        return command;
    }

    private static Command QueueVerb(string verb, string description, IReadOnlyList<string> settings)
    {
        var command = new Command(verb, description);
        Argument<string>? id = null;
        Option<bool>? all = null;
        if (verb == "list")
        {
            all = new Option<bool>("--all") { Description = "Delivered entries too." };
            command.Options.Add(all);
        }
        else
        {
            id = MessageIdArgument("The message's queue id (as `list` shows it).");
            command.Arguments.Add(id);
        }

        var json = JsonOption();
        var config = ConfigOption();
        command.Options.Add(json);
        command.Options.Add(config);
        command.SetAction(p => QueueCommand.Run(
            verb,
            id is null ? null : p.GetRequiredValue(id),
            p.GetValue(json),
            all is not null && p.GetValue(all),
            Configuration(p, config, settings),
            p.InvocationConfiguration.Output,
            p.InvocationConfiguration.Error));
        return command;
    }

    private static Command Token(IReadOnlyList<string> settings)
    {
        var command = new Command("token", "API bearer tokens for the review console. Exit 1 when the token is not active.");

        var name = new Option<string>("--name") { Description = "What the token is for (shown in `token list`).", HelpName = "NAME", Required = true };
        name.Validators.Add(result =>
        {
            if (string.IsNullOrEmpty(result.GetValueOrDefault<string>()))
            {
                result.AddError("--name must not be empty.");
            }
        });
        var role = RoleOption();
        var scope = new Option<TokenScope>("--scope")
        {
            Description = "api: the review API, with --role (default); check: only POST /api/v1/check, the Outlook add-in's (no role).",
            HelpName = "api|check",
            DefaultValueFactory = _ => TokenScope.Api,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                switch (text.Trim().ToLowerInvariant())
                {
                    case "api":
                        return TokenScope.Api;
                    case "check":
                        return TokenScope.Check;
                    default:
                        result.AddError($"--scope is api or check, not '{text}'.");
                        return TokenScope.Api;
                }
            },
        };
        scope.CompletionSources.Clear();
        scope.CompletionSources.Add("api", "check");
        var createJson = JsonOption();
        var createConfig = ConfigOption();
        var create = new Command("create", "Create a token and print it once; the store keeps only its hash.") { name, role, scope, createJson, createConfig };
        // A check token has no role: asking for one with it is a mistake worth hearing about.
        create.Validators.Add(result =>
        {
            if (result.GetValue(scope) == TokenScope.Check && result.GetResult(role) is { Implicit: false })
            {
                result.AddError("--role does not apply to a check token (--scope check): it can only ask for checks.");
            }
        });
        create.SetAction(p => AccountCommand.RunToken("create", null, p.GetRequiredValue(name), p.GetValue(role), p.GetValue(createJson), Configuration(p, createConfig, settings), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, p.GetValue(scope)));
        command.Subcommands.Add(create);

        var listJson = JsonOption();
        var listConfig = ConfigOption();
        var list = new Command("list", "Every token, active and revoked.") { listJson, listConfig };
        list.SetAction(p => AccountCommand.RunToken("list", null, null, ConsoleRole.Reviewer, p.GetValue(listJson), Configuration(p, listConfig, settings), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        command.Subcommands.Add(list);

        var id = new Argument<string>("ID") { Description = "The token's id (as `token list` shows it)." };
        var revokeJson = JsonOption();
        var revokeConfig = ConfigOption();
        var revoke = new Command("revoke", "Revoke a token; requests bearing it are refused from then on.") { id, revokeJson, revokeConfig };
        revoke.SetAction(p => AccountCommand.RunToken("revoke", p.GetRequiredValue(id), null, ConsoleRole.Reviewer, p.GetValue(revokeJson), Configuration(p, revokeConfig, settings), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        command.Subcommands.Add(revoke);
        return command;
    }

    private static Command User(IReadOnlyList<string> settings)
    {
        var command = new Command("user", "Review console accounts. Exit 1 when the account does not exist (or, for add, exists already).");
        command.Subcommands.Add(UserVerb("add", "Create an account and print its random password once.", settings));
        command.Subcommands.Add(UserVerb("list", "Every account.", settings));
        command.Subcommands.Add(UserVerb("reset-password", "Give an account a new random password and print it once.", settings));
        command.Subcommands.Add(UserVerb("disable", "Refuse an account's logins.", settings));
        command.Subcommands.Add(UserVerb("enable", "Allow a disabled account's logins again.", settings));
        return command;
    }

    private static Command UserVerb(string verb, string description, IReadOnlyList<string> settings)
    {
        var command = new Command(verb, description);
        Argument<string>? name = null;
        Option<ConsoleRole>? role = null;
        if (verb != "list")
        {
            name = new Argument<string>("NAME") { Description = "The account's name: 1 to 64 letters, digits, '.', '-', '_' or '@' (case does not matter)." };
            name.Validators.Add(result =>
            {
                string? value = result.GetValueOrDefault<string>();
                if (!ConsoleAccounts.IsValidName(value))
                {
                    result.AddError($"'{value}' is not an account name (1 to 64 letters, digits, '.', '-', '_' or '@').");
                }
            });
            command.Arguments.Add(name);
        }

        if (verb == "add")
        {
            role = RoleOption();
            command.Options.Add(role);
        }

        var json = JsonOption();
        var config = ConfigOption();
        command.Options.Add(json);
        command.Options.Add(config);
        command.SetAction(p => AccountCommand.RunUser(
            verb,
            name is null ? null : p.GetRequiredValue(name),
            role is null ? ConsoleRole.Reviewer : p.GetValue(role),
            p.GetValue(json),
            Configuration(p, config, settings),
            p.InvocationConfiguration.Output,
            p.InvocationConfiguration.Error));
        return command;
    }

    private static Command HashPassword(IReadOnlyList<string> settings, TextReader stdin)
    {
        var iterations = new Option<int>("--iterations")
        {
            Description = $"PBKDF2 iterations, at least {HashPasswordCommand.MinIterations}.",
            HelpName = "N",
            DefaultValueFactory = _ => Security.Passwords.DefaultIterations,
            // A parser rather than a validator: validators also run on a value that did not convert.
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= HashPasswordCommand.MinIterations)
                {
                    return n;
                }

                result.AddError($"--iterations is a whole number of at least {HashPasswordCommand.MinIterations}, not '{text}'.");
                return 0;
            },
        };
        // The password comes on standard input so that it never shows in the process list or shell history.
        var command = new Command("hash-password", "Read one password line from standard input and print its hash for a Relay:Users entry.") { iterations };
        ReadsNoConfiguration(command, settings);
        command.SetAction(p => HashPasswordCommand.Run(p.GetValue(iterations), stdin, p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    private static Command Addin(IReadOnlyList<string> settings)
    {
        var url = new Option<string>("--url")
        {
            Description = "The console's public https URL, which Outlook reaches (the add-in's files are under /addin/ there).",
            HelpName = "URL",
            Required = true,
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the manifest to this file instead of standard output.", HelpName = "FILE" };
        var id = new Option<Guid?>("--id") { Description = "The add-in's id; by default one derived from --url, the same every time for the same URL.", HelpName = "GUID" };
        var manifest = new Command("manifest", "Write the Outlook add-in's XML manifest (OnMessageSend Smart Alerts) for this deployment's URL.") { url, output, id };
        ReadsNoConfiguration(manifest, settings);
        manifest.SetAction(p => AddinCommand.Manifest(p.GetRequiredValue(url), p.GetValue(output), p.GetValue(id), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return new Command("addin", "The Outlook add-in that asks MailGuard before a message is sent.") { manifest };
    }

    private static Command HealthCheck(IReadOnlyList<string> settings)
    {
        var config = ConfigOption();
        var command = new Command("healthcheck", "Expect the SMTP greeting on the first Relay:Listen endpoint and, when Console:Listen is set, 200 from /healthz. Exit 0 when healthy, 1 otherwise.") { config };
        command.SetAction(p => HealthCheckCommand.Run(Configuration(p, config, settings), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }

    private static ConfigurationArguments Configuration(ParseResult parseResult, Option<string> config, IReadOnlyList<string> settings) =>
        new(parseResult.GetValue(config), settings);

    /// <summary>The one place the `--Section:Key=value` form shows in help: the settings themselves are no options (<see cref="ConfigurationArguments.Extract"/>).</summary>
    private static Option<string> ConfigOption() => new("--config")
    {
        Description = "A configuration file over the shipped defaults. MAILGUARD_Section__Key variables and --Section:Key=value arguments win over it.",
        HelpName = "FILE",
    };

    private static Option<bool> JsonOption() => new("--json") { Description = "JSON output." };

    private static Option<ConsoleRole> RoleOption()
    {
        var role = new Option<ConsoleRole>("--role")
        {
            Description = "What the account or token may do.",
            HelpName = "reviewer|admin",
            DefaultValueFactory = _ => ConsoleRole.Reviewer,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (ConsoleAccounts.TryParseRole(text, out var parsed))
                {
                    return parsed;
                }

                result.AddError($"--role is reviewer or admin, not '{text}'.");
                return ConsoleRole.Reviewer;
            },
        };
        // The words TryParseRole takes, not the enum's member names.
        role.CompletionSources.Clear();
        role.CompletionSources.Add("reviewer", "admin");
        return role;
    }

    private static Argument<string> MessageIdArgument(string description) => new("ID") { Description = description };

    /// <summary>A setting given to a verb that reads no configuration is a usage error, as any unexpected argument is.</summary>
    private static void ReadsNoConfiguration(Command command, IReadOnlyList<string> settings)
    {
        command.Validators.Add(result =>
        {
            if (settings.Count > 0)
            {
                result.AddError($"{command.Name} reads no configuration: unexpected '{settings[0]}'.");
            }
        });
    }
}
