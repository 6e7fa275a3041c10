using MailGuard.Core.Store;
using MailGuard.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class SqliteStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="SqliteMessageStore"/>, made from <paramref name="options"/> when first
    /// asked for, and <see cref="IMessageStore"/>, <see cref="IQuarantineStore"/>, <see cref="IReviewStore"/>
    /// and <see cref="IAccountStore"/> as that same instance: one database file and one writer, whichever
    /// contract a component takes. Everything is TryAdd, so a registration made first wins (a test's
    /// store or clock); <see cref="TimeProvider.System"/> unless a TimeProvider is registered.
    /// </summary>
    /// <remarks>The container disposes the instance once per contract resolved; disposing it again does nothing.</remarks>
    public static IServiceCollection AddMailGuardSqliteStore(this IServiceCollection services, Func<IServiceProvider, SqliteStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteMessageStore(options(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IMessageStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.TryAddSingleton<IQuarantineStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.TryAddSingleton<IReviewStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.TryAddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.TryAddSingleton<IAuthAttemptStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        return services;
    }
}
