using System.Runtime.CompilerServices;

// The framer, parser and state table are internal; their unit tests live in the test project.
[assembly: InternalsVisibleTo("MailGuard.Smtp.Tests")]
