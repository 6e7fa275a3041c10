using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace MailGuard.Host.Logging;

/// <summary>
/// One log format for `mailguard run` and the CLI verbs. `Logging:Format` = `json` gives one JSON
/// object per event (for log shippers); anything else, one line of text. Levels come from
/// `Logging:LogLevel:*` as usual.
/// </summary>
internal static class LogSetup
{
    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    public static bool IsJson(IConfiguration configuration) =>
        string.Equals(configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The console logger of `mailguard run` (standard output).</summary>
    public static ILoggingBuilder AddMailGuardConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (IsJson(configuration))
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = TimestampFormat;
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = TimestampFormat + " ";
                o.UseUtcTimestamp = true;
            });
        }

        return logging;
    }

    /// <summary>
    /// A logger factory for a CLI verb that writes events, in the same format as `run`, to the
    /// verb's error writer: standard output stays the verb's result (`--json` lines that scripts
    /// parse), and each event is written before the verb returns (the console logger writes on a
    /// background thread, which a short-lived process can outrun).
    /// </summary>
    public static ILoggerFactory ForCli(IConfiguration configuration, TextWriter writer)
    {
        // The console formatters are only reachable through DI; this container holds nothing else.
        var formatters = new ServiceCollection()
            .AddLogging(b => b.AddMailGuardConsole(configuration))
            .BuildServiceProvider();
        string name = IsJson(configuration) ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple;
        var formatter = formatters.GetServices<ConsoleFormatter>().First(f => f.Name == name);
        return LoggerFactory.Create(b =>
        {
            b.AddConfiguration(configuration.GetSection("Logging"));
            b.AddProvider(new WriterLoggerProvider(writer, formatter, formatters));
        });
    }

    private sealed class WriterLoggerProvider : ILoggerProvider
    {
        private readonly TextWriter _writer;
        private readonly ConsoleFormatter _formatter;
        private readonly ServiceProvider _owner;
        private readonly Lock _gate = new();

        public WriterLoggerProvider(TextWriter writer, ConsoleFormatter formatter, ServiceProvider owner)
        {
            _writer = writer;
            _formatter = formatter;
            _owner = owner;
        }

        public ILogger CreateLogger(string categoryName) => new WriterLogger(this, categoryName);

        public void Dispose() => _owner.Dispose();

        private void Write<TState>(in LogEntry<TState> entry)
        {
            lock (_gate)
            {
                _formatter.Write(in entry, null, _writer);
                _writer.Flush();
            }
        }

        private sealed class WriterLogger(WriterLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => NullScope.Instance;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    provider.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
                }
            }
        }
    }

    private sealed class NullScope : IDisposable
    {
        public static NullScope Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
