using System.Runtime.CompilerServices;

// Format helpers (date-format codes, serial dates, sniffers) are tested directly.
[assembly: InternalsVisibleTo("MailGuard.Core.Tests")]
