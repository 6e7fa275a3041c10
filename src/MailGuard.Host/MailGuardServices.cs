using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Delivery;
using MailGuard.Host.Metrics;
using MailGuard.Host.Notifications;
using MailGuard.Host.Logging;
using MailGuard.Host.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host;

/// <summary>Composition in one place: one registration per component, TryAdd for replaceable defaults.</summary>
public static class MailGuardServices
{
    /// <summary>Builds the `mailguard run` host from validated options.</summary>
    public static IHost BuildHost(IConfiguration configuration, MailGuardOptions options, Action<IServiceCollection>? configure = null, Core.Policy.PolicyOptions? policy = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        // Logging:Format = json gives one JSON object per event (for log shippers); the default is one line of text.
        builder.Logging.AddMailGuardConsole(configuration);
        builder.Services.Configure<HostOptions>(o =>
        {
            // The host must outlast the relay's grace period plus the delivery worker's wind-down.
            o.ShutdownTimeout = options.Relay.ShutdownGracePeriod + TimeSpan.FromSeconds(15);
        });
        if (policy is not null)
        {
            // The policy's InternalDomains say whose mail MailGuard may answer (notices, returns,
            // DSNs) even with Policy:Enabled=false; only an enabled policy decides each message.
            // Without one the relay delivers all.
            builder.Services.TryAddSingleton(policy);
            builder.Services.TryAddSingleton(_ => new InspectionOcr(options.Inspection.Ocr));
            if (policy.Enabled)
            {
                builder.Services.TryAddSingleton<IMessageDisposition, InspectingDisposition>();
            }
        }

        builder.Services.AddMailGuardStore(options);
        builder.Services.AddMailGuardRelay(options);
        builder.Services.AddMailGuardDelivery(options);
        builder.Services.AddMailGuardConsole(options);
        builder.Services.AddMailGuardNotifications(options);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    public static IServiceCollection AddMailGuardStore(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        services.TryAddSingleton(_ => new MessageSpool(options.Storage.Directory));
        services.AddConfiguredStore(options);
        services.AddHostedService<StoreStartup>();
        services.TryAddSingleton<QuarantineExpiry>(sp => new QuarantineExpiry(
            sp.GetRequiredService<IMessageStore>(),
            options,
            sp.GetService<Core.Policy.PolicyOptions>(),
            sp.GetRequiredService<DeliverySignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QuarantineExpiry>>()));
        services.AddHostedService(sp => sp.GetRequiredService<QuarantineExpiry>());
        return services;
    }

    /// <summary>Accounts and review actions always (the CLI uses them too); the web console when Console:Listen is set.</summary>
    public static IServiceCollection AddMailGuardConsole(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton(sp => new Review.ConsoleAccounts(sp.GetRequiredService<IAccountStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Review.ConsoleAccounts>>()));
        services.TryAddSingleton(sp => new Review.ReviewActions(
            sp.GetRequiredService<IQuarantineStore>(),
            options,
            sp.GetService<Core.Policy.PolicyOptions>(),
            sp.GetService<DeliverySignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Review.ReviewActions>>()));
        services.TryAddSingleton<Review.DecisionRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<Review.DecisionRecorder>());
        if (options.Console.Listen is { Length: > 0 })
        {
            services.TryAddSingleton<Review.ReviewConsole>();
            services.AddHostedService(sp => sp.GetRequiredService<Review.ReviewConsole>());
        }

        return services;
    }

    public static IServiceCollection AddMailGuardRelay(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton<IMessageDisposition, DeliverAllDisposition>();
        if (options.Relay.Users.Count > 0)
        {
            services.TryAddSingleton<IRelayAuthenticator>(new ConfiguredUsersAuthenticator(options.Relay.Users));
        }
        else
        {
            services.TryAddSingleton<IRelayAuthenticator, NoUsersAuthenticator>();
        }
        services.TryAddSingleton<DeliverySignal>();
        services.TryAddSingleton<MailGuardMetrics>();
        services.TryAddSingleton<RelayHooks>();
        services.TryAddSingleton<RelayService>();
        services.AddHostedService(sp => sp.GetRequiredService<RelayService>());
        return services;
    }

    public static IServiceCollection AddMailGuardDelivery(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton<DeliverySignal>();
        if (options.Delivery.Mode == DeliveryMode.Smtp)
        {
            services.TryAddSingleton<IDeliveryTransport, SmtpTransport>();
        }
        else
        {
            string pickup = options.Delivery.PickupDirectory is { Length: > 0 } p ? p : Path.Combine(options.Storage.Directory, "pickup");
            services.TryAddSingleton<IDeliveryTransport>(_ => new PickupTransport(pickup));
        }

        services.TryAddSingleton<UpstreamHealth>();
        services.TryAddSingleton<MailGuardMetrics>();
        services.AddHostedService<DeliveryWorker>();
        services.AddHostedService<QueuePurger>();
        return services;
    }

    /// <summary>Release-request links and requests, and the daily digest (which does nothing unless a policy with a security team is registered).</summary>
    public static IServiceCollection AddMailGuardNotifications(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeliverySignal>();
        // Console:LinkKey (validated at start-up) or the key kept beside the store, made on first use.
        services.TryAddSingleton(sp => Core.Notices.ReleaseRequestLinks.FromBase64(options.Console.LinkKey, out _)
            ?? Core.Notices.ReleaseRequestLinks.FromKeyFile(ConsoleOptions.LinkKeyFile(options.Storage)));
        services.TryAddSingleton<ReleaseRequests>();
        services.TryAddSingleton(sp => new HeldDigest(
            sp.GetRequiredService<IMessageStore>(),
            options,
            sp.GetService<Core.Policy.PolicyOptions>(),
            sp.GetRequiredService<DeliverySignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HeldDigest>>()));
        services.AddHostedService(sp => sp.GetRequiredService<HeldDigest>());
        return services;
    }
}
