using System.Runtime.CompilerServices;

// The scanners are internal (they hold positions into unmasked text); their tests need them.
[assembly: InternalsVisibleTo("MailGuard.Core.Tests")]
