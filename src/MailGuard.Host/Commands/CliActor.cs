namespace MailGuard.Host.Commands;

/// <summary>
/// Who an audit record and an admin log event name for a CLI action: "cli:" and the operating-system
/// user. Operators usually run the verbs through sudo as the service's user, which would make every
/// actor "cli:mailguard"; sudo's SUDO_USER keeps the person ("cli:mailguard (sudo by alice)").
/// It is what the operating system says, not an authentication: the review console's logins are.
/// </summary>
internal static class CliActor
{
    public static string Current
    {
        get
        {
            string user = Environment.UserName;
            string? invoker = Environment.GetEnvironmentVariable("SUDO_USER");
            return string.IsNullOrEmpty(invoker) || invoker == user ? "cli:" + user : $"cli:{user} (sudo by {invoker})";
        }
    }
}
