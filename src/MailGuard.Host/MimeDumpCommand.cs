namespace MailGuard.Host;

internal static class MimeDumpCommand
{
    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("not yet");
        return 2;
    }
}
