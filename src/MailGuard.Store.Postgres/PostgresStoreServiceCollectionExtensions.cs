using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="PostgresMessageStore"/>, made from <paramref name="options"/> when first
    /// asked for, and <see cref="IMessageStore"/>, <see cref="IQuarantineStore"/>, <see cref="IReviewStore"/>
    /// and <see cref="IAccountStore"/> as that same instance: one connection pool, whichever contract a
    /// component takes. Everything is TryAdd, so a registration made first wins (a test's store or
    /// clock); <see cref="TimeProvider.System"/> unless a TimeProvider is registered.
    /// </summary>
    /// <remarks>The container disposes the instance once per contract resolved; disposing it again does nothing.</remarks>
    public static IServiceCollection AddMailGuardPostgresStore(this IServiceCollection services, Func<IServiceProvider, PostgresStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PostgresMessageStore(options(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IMessageStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
        services.TryAddSingleton<IQuarantineStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
        services.TryAddSingleton<IReviewStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
        services.TryAddSingleton<IAccountStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
        services.TryAddSingleton<IAuthAttemptStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
        return services;
    }
}
