namespace MailGuard.Host.Commands;

/// <summary>The verbs of ARCHITECTURE.md's command-line contract.</summary>
public static class Cli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine("usage: mailguard run|scan|mime-dump|quarantine|queue|token|user|hash-password|healthcheck ...");
            return 2;
        }

        switch (args[0])
        {
            case "mime-dump":
                return MimeDumpCommand.Run(args.AsSpan(1), stdout, stderr);
            case "healthcheck":
                return HealthCheckCommand.Run(args.AsSpan(1), stdout, stderr);
            case "scan":
                return ScanCommand.Run(args.AsSpan(1), stdout, stderr);
            case "run":
                return RunCommand.Run(args.AsSpan(1), stdout, stderr);
            case "quarantine":
                return QuarantineCommand.Run(args.AsSpan(1), stdout, stderr);
            case "queue":
                return QueueCommand.Run(args.AsSpan(1), stdout, stderr);
            case "token":
                return AccountCommand.RunToken(args.AsSpan(1), stdout, stderr);
            case "user":
                return AccountCommand.RunUser(args.AsSpan(1), stdout, stderr);
            case "hash-password":
                return HashPasswordCommand.Run(args.AsSpan(1), Console.In, stdout, stderr);
            default:
                stderr.WriteLine($"mailguard: unknown verb '{args[0]}'");
                return 2;
        }
    }
}
