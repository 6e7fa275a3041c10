using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace MailGuard.Store.Sqlite;

/// <summary>
/// A connection as Dapper sees it: every command it creates runs on one prepared
/// <see cref="SqliteCommand"/> per statement text, kept for the connection's lifetime.
/// Microsoft.Data.Sqlite keeps a statement prepared only as long as its command object
/// (dotnet/efcore#14044), and Dapper makes a new command per call, so without this the writer
/// would compile every statement again; on the writer that is most of the cost of a small
/// statement. Parameter names get their '@' before a statement runs: Dapper names them without
/// one, and Microsoft.Data.Sqlite then tries each prefix in turn (three more lookups and strings
/// per parameter, as much again as the statement itself). Owns (disposes) the open connection it
/// wraps. One user at a time (the writer loop, or one read), and no statement is run again while
/// a reader of it is open.
/// </summary>
internal sealed class PreparedStatements(SqliteConnection connection) : DbConnection
{
    private static readonly ConcurrentDictionary<string, string> s_prefixed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);

    public SqliteConnection Inner { get; } = connection;

    [AllowNull]
    public override string ConnectionString
    {
        get => Inner.ConnectionString;
        set => throw new NotSupportedException();
    }

    public override string Database => Inner.Database;

    public override string DataSource => Inner.DataSource;

    public override string ServerVersion => Inner.ServerVersion;

    public override ConnectionState State => Inner.State;

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

    public override void Open() => throw new NotSupportedException("Wraps a connection the store has opened.");

    public override void Close() => throw new NotSupportedException("Closed by disposing it.");

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => Inner.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new Statement(this);

    /// <summary>The prepared command for <paramref name="sql"/>, its parameters cleared.</summary>
    private SqliteCommand For(string sql)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = Inner.CreateCommand();
            command.CommandText = sql;
            _statements[sql] = command;
        }

        command.Parameters.Clear();
        return command;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _statements.Values)
            {
                command.Dispose();
            }

            _statements.Clear();
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A command whose text picks the prepared statement; disposing it leaves the statement prepared.</summary>
    private sealed class Statement(PreparedStatements owner) : DbCommand
    {
        private SqliteCommand? _current;
        private DbTransaction? _transaction;

        private SqliteCommand Current => _current ?? throw new InvalidOperationException("CommandText has not been set.");

        [AllowNull]
        public override string CommandText
        {
            get => _current?.CommandText ?? string.Empty;
            set => _current = owner.For(value ?? throw new ArgumentNullException(nameof(value)));
        }

        public override int CommandTimeout { get; set; } = 30;

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text)
                {
                    throw new NotSupportedException();
                }
            }
        }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => owner;
            set => throw new NotSupportedException();
        }

        protected override DbParameterCollection DbParameterCollection => Current.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set => _transaction = value;
        }

        public override void Cancel() => Current.Cancel();

        public override void Prepare() => Current.Prepare();

        public override int ExecuteNonQuery() => Bind().ExecuteNonQuery();

        public override object? ExecuteScalar() => Bind().ExecuteScalar();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Bind().ExecuteReader(behavior);

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        private SqliteCommand Bind()
        {
            var command = Current;
            foreach (SqliteParameter parameter in command.Parameters)
            {
                string name = parameter.ParameterName;
                if (name.Length > 0 && name[0] is not ('@' or '$' or ':'))
                {
                    parameter.ParameterName = s_prefixed.GetOrAdd(name, static n => "@" + n);
                }
            }

            command.Transaction = (SqliteTransaction?)_transaction;
            command.CommandTimeout = CommandTimeout;
            return command;
        }
    }
}
