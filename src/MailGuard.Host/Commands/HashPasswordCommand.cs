namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard hash-password [--iterations N]`: reads a password from standard input (one line,
/// so it never appears in the process list or shell history) and prints the Relay:Users hash.
/// </summary>
internal static class HashPasswordCommand
{
    public static int Run(ReadOnlySpan<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        int iterations = Security.Passwords.DefaultIterations;
        if (args.Length == 2 && args[0] == "--iterations" && int.TryParse(args[1], out int n) && n >= 1000)
        {
            iterations = n;
        }
        else if (args.Length != 0)
        {
            stderr.WriteLine("usage: mailguard hash-password [--iterations N>=1000] < password");
            return 2;
        }

        string? password = stdin.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            stderr.WriteLine("mailguard hash-password: no password on standard input");
            return 2;
        }

        stdout.WriteLine(Security.Passwords.Hash(password, iterations));
        return 0;
    }
}
