namespace MailGuard.Host;

internal static class RunCommand
{
    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine("mailguard: the relay is not built yet (issue 3); nothing to run.");
        return 0;
    }
}
