namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard hash-password [--iterations N]`: reads a password from standard input (one line,
/// so it never appears in the process list or shell history) and prints the Relay:Users hash.
/// </summary>
internal static class HashPasswordCommand
{
    /// <summary>Fewer than this many PBKDF2 iterations is refused as a usage error.</summary>
    public const int MinIterations = 1000;

    public static int Run(int iterations, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
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
