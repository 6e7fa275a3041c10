using MailGuard.Core.Dispositions;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Delivery;
using MailGuard.Host.Logging;
using MailGuard.Host.Metrics;
using MailGuard.Host.Notifications;
using MailGuard.Host.Relay;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MailGuard.Host;

/// <summary>Composition in one place: one registration per component, TryAdd for replaceable defaults.</summary>
public static class MailGuardServices
{
    /// <summary>
    /// Builds the `mailguard run` host from validated options: one application whose services are
    /// the store, the relay, delivery, quarantine expiry, the digest and, when Console:Listen is
    /// set, the review console and API on Kestrel. Every component shares one container.
    /// </summary>
    public static IHost BuildHost(IConfiguration configuration, MailGuardOptions options, Action<IServiceCollection>? configure = null, Core.Policy.PolicyOptions? policy = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            // Razor Pages are found in the application's assembly: ours, also when a test host runs us.
            ApplicationName = typeof(MailGuardServices).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddConfiguration(configuration);
        // Logging:Format = json gives one JSON object per event (for log shippers); the default is one line of text.
        builder.Logging.AddMailGuardConsole(configuration);
        builder.Services.Configure<HostOptions>(o =>
        {
            // The host must outlast the relay's grace period plus the delivery worker's wind-down.
            o.ShutdownTimeout = options.Relay.ShutdownGracePeriod + TimeSpan.FromSeconds(15);
        });
        // Under systemd (Type=notify) the unit is "started" only once every service has started,
        // and stopping is reported; elsewhere this does nothing.
        builder.Services.AddSystemd();
        builder.Services.AddMailGuardOptions(options, policy);
        if (policy is not null)
        {
            // The policy's InternalDomains say whose mail MailGuard may answer (notices, returns,
            // DSNs) even with Policy:Enabled=false; only an enabled policy decides each message.
            // Without one the relay delivers all.
            builder.Services.TryAddSingleton(policy);
            builder.Services.AddHostedService<Relay.PolicySummary>();
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
        bool console = options.Console.Listen is { Length: > 0 };
        if (console)
        {
            Review.ReviewConsole.AddTo(builder, options.Console, options.Storage, options.Quarantine);
        }
        else
        {
            // No console, no API, no /metrics: nothing listens for HTTP.
            builder.Services.AddSingleton<IServer, NoHttpServer>();
        }

        configure?.Invoke(builder.Services);
        var app = builder.Build();
        if (console)
        {
            Review.ReviewConsole.MapOn(app);
        }

        return app;
    }

    /// <summary>
    /// The configuration as options: each section as IOptions of its own class (what components
    /// inject), the whole validated at start by one validator that reports every problem together.
    /// </summary>
    public static IServiceCollection AddMailGuardOptions(this IServiceCollection services, MailGuardOptions options, Core.Policy.PolicyOptions? policy = null)
    {
        services.AddOptions<MailGuardOptions>()
            .Configure(o =>
            {
                o.Relay = options.Relay;
                o.Delivery = options.Delivery;
                o.Storage = options.Storage;
                o.Quarantine = options.Quarantine;
                o.Console = options.Console;
                o.Inspection = options.Inspection;
                o.Check = options.Check;
                o.Addin = options.Addin;
            })
            .ValidateOnStart();
        services.TryAddSingleton<IValidateOptions<MailGuardOptions>>(new MailGuardOptionsValidator(policy));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Relay));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Delivery));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Storage));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Quarantine));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Console));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Inspection));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Check));
        services.TryAddSingleton(sp => Options.Create(sp.GetRequiredService<IOptions<MailGuardOptions>>().Value.Addin));
        return services;
    }

    public static IServiceCollection AddMailGuardStore(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new MessageSpool(options.Storage.Directory));
        services.AddConfiguredStore(options);
        services.AddHostedService<StoreStartup>();
        services.TryAddSingleton<QuarantineExpiry>(sp => new QuarantineExpiry(
            sp.GetRequiredService<IMessageStore>(),
            sp.GetRequiredService<IOptions<QuarantineOptions>>(),
            sp.GetRequiredService<IOptions<RelayOptions>>(),
            sp.GetService<Core.Policy.PolicyOptions>(),
            sp.GetRequiredService<DeliverySignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QuarantineExpiry>>(),
            sp.GetService<MailGuardMetrics>()));
        services.AddHostedService(sp => sp.GetRequiredService<QuarantineExpiry>());
        return services;
    }

    /// <summary>Accounts and review actions always (the CLI uses them too); the web console when Console:Listen is set.</summary>
    public static IServiceCollection AddMailGuardConsole(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton(sp => new Review.ConsoleAccounts(sp.GetRequiredService<IAccountStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Review.ConsoleAccounts>>()));
        services.TryAddSingleton(sp => new Review.ReviewActions(
            sp.GetRequiredService<IQuarantineStore>(),
            sp.GetRequiredService<IOptions<ConsoleOptions>>(),
            sp.GetRequiredService<IOptions<RelayOptions>>(),
            sp.GetService<Core.Policy.PolicyOptions>(),
            sp.GetService<DeliverySignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Review.ReviewActions>>()));
        services.TryAddSingleton<Review.ConsoleClock>();
        services.TryAddSingleton<Review.ReleaseRequestAlert>();
        services.TryAddSingleton<Review.DecisionRecorder>();
        services.TryAddSingleton<IDecisionLog>(sp => sp.GetRequiredService<Review.DecisionRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<Review.DecisionRecorder>());
        return services;
    }

    public static IServiceCollection AddMailGuardRelay(this IServiceCollection services, MailGuardOptions options)
    {
        services.TryAddSingleton<IMessageDisposition, DeliverAllDisposition>();
        // Inspection's readers (the OCR engine, detected once) and what dispositions need to act.
        services.TryAddSingleton(_ => new InspectionOcr(options.Inspection.Ocr));
        services.TryAddSingleton(sp => sp.GetRequiredService<InspectionOcr>().CreateOptions(options.Inspection, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<InspectionOcrStatus>();
        services.TryAddSingleton(new DispositionSettings(options.Relay.ServerName));
        services.TryAddSingleton<IDispositionMetrics>(sp => sp.GetRequiredService<MailGuardMetrics>());
        services.TryAddSingleton(sp => new DispositionExecutor(
            sp.GetRequiredService<IMessageStore>(),
            sp.GetRequiredService<DeliverySignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DispositionExecutor>>(),
            ContentProtector.FromBase64(options.Quarantine.EncryptionKey, out _),
            sp.GetRequiredService<IDispositionMetrics>()));
        if (options.Relay.Users.Count > 0)
        {
            services.TryAddSingleton<IRelayAuthenticator>(new Security.ConfiguredUsersAuthenticator(options.Relay.Users));
        }
        else
        {
            services.TryAddSingleton<IRelayAuthenticator, NoUsersAuthenticator>();
        }
        services.TryAddSingleton<DeliverySignal>();
        // Inspection off the sessions' threads: Inspection:Workers threads (0: one per core) and a
        // queue of Inspection:MaxQueued; when both are full new DATA gets 451 4.7.1.
        services.TryAddSingleton(_ => new InspectionPool(
            options.Inspection.Workers > 0 ? options.Inspection.Workers : Environment.ProcessorCount,
            options.Inspection.MaxQueued));
        services.TryAddSingleton<MailGuardMetrics>();
        services.TryAddSingleton<Security.AuthThrottle>();
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
        services.AddHostedService<NoticeWarmUp>();
        services.TryAddSingleton(sp => new HeldDigest(
            sp.GetRequiredService<IMessageStore>(),
            sp.GetRequiredService<IOptions<ConsoleOptions>>(),
            sp.GetRequiredService<IOptions<RelayOptions>>(),
            sp.GetService<Core.Policy.PolicyOptions>(),
            sp.GetRequiredService<DeliverySignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HeldDigest>>(),
            sp.GetService<MailGuardMetrics>()));
        services.AddHostedService(sp => sp.GetRequiredService<HeldDigest>());
        return services;
    }
}

/// <summary>The server of a host without a console: nothing listens for HTTP.</summary>
internal sealed class NoHttpServer : IServer
{
    public Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();

    public Task StartAsync<TContext>(Microsoft.AspNetCore.Hosting.Server.IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
