using System.CommandLine;
using System.CommandLine.Invocation;

namespace MailGuard.Host.Commands;

/// <summary>The verbs of ARCHITECTURE.md's command-line contract: parse with <see cref="CommandTree"/>, run the verb, map exit codes.</summary>
public static class Cli
{
    /// <summary>The exit code of every usage error (System.CommandLine's own is 1, which our verbs use for "not done").</summary>
    public const int UsageError = 2;

    private static readonly ParserConfiguration s_parser = new()
    {
        // "@file" would be read as a response file; a --reason or a scan path may start with '@'.
        ResponseFileTokenReplacer = null,
    };

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, Console.In, stdout, stderr);

    /// <summary>As <see cref="Run(string[], TextWriter, TextWriter)"/>, with the standard input hash-password reads.</summary>
    internal static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (rest, settings) = ConfigurationArguments.Extract(args);
        var parseResult = CommandTree.Build(settings, stdin).Parse(rest, s_parser);
        if (parseResult.Action is ParseErrorAction errorAction)
        {
            // The errors, then the help of the verb that was typed (the root's for no verb), all on standard error.
            errorAction.ShowTypoCorrections = false;
            parseResult.Invoke(Invocation(stderr, stderr));
            return UsageError;
        }

        return parseResult.Invoke(Invocation(stdout, stderr));
    }

    private static InvocationConfiguration Invocation(TextWriter output, TextWriter error) => new()
    {
        Output = output,
        Error = error,
        // A verb's bug surfaces as before, with its stack trace and the runtime's exit code, not as exit 1.
        EnableDefaultExceptionHandler = false,
        // `run` handles SIGTERM and Ctrl+C itself (the generic host's graceful shutdown).
        ProcessTerminationTimeout = null,
    };
}
