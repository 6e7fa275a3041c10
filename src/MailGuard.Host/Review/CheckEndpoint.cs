using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.RateLimiting;
using MailGuard.Core.Policy;
using MailGuard.Host.Configuration;
using MailGuard.Inspection;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>
/// `POST /api/v1/check`: a draft (raw MIME as message/rfc822, or the add-in's JSON) judged with the
/// relay's policy by the relay's own road (<see cref="MessageEvaluator"/>), answered with the
/// verdict and suggested fixes (<see cref="CheckAnswer"/>). Nothing is stored: the draft lives in
/// memory for the request; the log gets counts and the metrics a count. Bounded by Check:*: the
/// request size (413), a time limit over reading and judging (503), checks at once (503 at once,
/// no queue) and a rate per caller, a token from one address (429). Only a check-scoped token is
/// accepted; browsers may call it from the console's own origin and Check:AllowedOrigins (CORS).
/// </summary>
internal static partial class CheckEndpoint
{
    public const string Path = "/api/v1/check";
    public const string CorsPolicy = "addin";
    public const string RateLimitPolicy = "check";

    public static void AddTo(IServiceCollection services)
    {
        services.TryAddSingleton<CheckService>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CheckOptions>>((cors, check) => cors.AddPolicy(CorsPolicy, p => p
            .WithOrigins([.. check.Value.AllowedOrigins])
            .WithMethods("POST")
            .WithHeaders("Authorization", "Content-Type")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                context.Response.Headers.RetryAfter = "60";
                context.RequestServices.GetService<Metrics.MailGuardMetrics>()?.CheckRefused("rate-limited");
                LogRefused(Logger(context), Caller(context.User), "rate-limited", 429);
                await ConsoleErrors.WriteAsync(context, 429, "Too many requests", "this caller has asked for more checks a minute than Check:PermitsPerMinute allows");
            };
            // One window per token and client address: an add-in token is shared by every mailbox,
            // so the address tells one person's Outlook from another's.
            o.AddPolicy(RateLimitPolicy, context =>
            {
                var check = context.RequestServices.GetRequiredService<IOptions<CheckOptions>>().Value;
                string key = Caller(context.User) + "|" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = check.PermitsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
    }

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, HandleAsync)
            .RequireAuthorization(ReviewConsole.CheckPolicy)
            .RequireCors(CorsPolicy)
            .RequireRateLimiting(RateLimitPolicy);

    private static string Caller(ClaimsPrincipal user) => user.FindFirstValue(ReviewConsole.TokenIdClaim) is { } id ? "token:" + id : "unknown";

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MailGuard.Host.Review.CheckEndpoint");

    private static async Task<IResult> HandleAsync(HttpContext context, CheckService checks)
    {
        var options = checks.Options;
        var logger = Logger(context);
        string caller = Caller(context.User);
        var metrics = context.RequestServices.GetService<Metrics.MailGuardMetrics>();
        IResult Refuse(int status, string reason, string title, string detail)
        {
            metrics?.CheckRefused(reason);
            LogRefused(logger, caller, reason, status);
            if (status == 503)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            return Problem(status, title, detail);
        }

        if (context.Request.ContentLength > options.MaxRequestBytes)
        {
            return Refuse(413, "too-large", "Request too large", $"a check takes at most {options.MaxRequestBytes} bytes (Check:MaxRequestBytes)");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBytes;
        }

        string? mediaType = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var parsed) ? parsed.MediaType?.ToLowerInvariant() : null;
        if (mediaType is not ("message/rfc822" or "application/json"))
        {
            return Refuse(415, "invalid", "Unsupported media type", "send the draft as message/rfc822 (MIME) or application/json");
        }

        // A slot for reading and judging, or 503 at once: a Send never waits behind other checks.
        if (!checks.TryEnter())
        {
            return Refuse(503, "busy", "Busy", $"{options.MaxConcurrent} checks are already running (Check:MaxConcurrent); the relay still decides when the message is sent");
        }

        long started = checks.Time.GetTimestamp();
        try
        {
            using var deadline = new CancellationTokenSource(options.Timeout, checks.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
            byte[] body;
            try
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer, linked.Token);
                body = buffer.ToArray();
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Refuse(413, "too-large", "Request too large", $"a check takes at most {options.MaxRequestBytes} bytes (Check:MaxRequestBytes)");
            }
            catch (BadHttpRequestException ex)
            {
                // Kestrel's own bounds on reading (a body that trickles in below its minimum rate: 408).
                bool slow = ex.StatusCode == StatusCodes.Status408RequestTimeout;
                return Refuse(ex.StatusCode, slow ? "timeout" : "invalid", slow ? "Request timeout" : "Bad request", "the draft could not be read");
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return Refuse(503, "timeout", "Check timed out", $"the draft did not arrive within {options.Timeout} (Check:Timeout)");
            }
            catch (Exception ex) when ((ex is OperationCanceledException or IOException) && context.RequestAborted.IsCancellationRequested)
            {
                // The caller went away (the add-in's own time budget): nobody to answer.
                return Results.Empty;
            }

            byte[] message = body;
            if (mediaType == "application/json")
            {
                CheckDraft? draft;
                try
                {
                    draft = JsonSerializer.Deserialize<CheckDraft>(body);
                }
                catch (JsonException)
                {
                    draft = null;
                }

                string? problem = "the body must be a JSON object: {\"from\", \"to\", \"cc\", \"bcc\", \"subject\", \"body_text\", \"body_html\", \"attachments\": [{\"name\", \"type\", \"content\"}]}";
                if (draft?.ToMime(out problem) is not { } mime)
                {
                    return Refuse(400, "invalid", "Bad request", problem!);
                }

                message = mime;
            }

            MessageEvaluation evaluation;
            try
            {
                evaluation = await Task.Run(() => checks.Evaluator.Evaluate(() => new MemoryStream(message, writable: false), envelope: null, linked.Token), linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return Refuse(503, "timeout", "Check timed out", $"the draft was not judged within {options.Timeout} (Check:Timeout); the relay still decides when the message is sent");
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return Results.Empty;
            }

            using (evaluation)
            {
                if (evaluation.Failure is { } failure)
                {
                    // Judged as the relay would: fail closed, and the bug goes to the log (never the draft).
                    LogInspectionFailed(logger, failure, caller);
                }

                var today = DateOnly.FromDateTime(checks.Time.GetUtcNow().UtcDateTime);
                var answer = CheckAnswer.Build(evaluation, checks.Evaluator.Options, today);
                metrics?.CheckAnswered(evaluation.Verdict.Action);
                var recipients = evaluation.Envelope.RcptTo.Count;
                LogAnswered(logger, caller, evaluation.Verdict.Action.Name(), evaluation.Verdict.MatchedRules.Count, evaluation.Findings.Count, evaluation.MaxPeople, recipients, message.Length, checks.Time.GetElapsedTime(started).TotalMilliseconds);
                return Results.Json(answer);
            }
        }
        finally
        {
            checks.Exit();
        }
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}");

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.CheckAnswered, Level = LogLevel.Information, Message = "Check for {Caller}: {Action}, {Rules} rules matched, {Findings} findings, {People} people, {Recipients} recipients, {Bytes} bytes, {ElapsedMs:F0} ms")]
    private static partial void LogAnswered(ILogger logger, string caller, string action, int rules, int findings, long people, int recipients, int bytes, double elapsedMs);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.CheckRefused, Level = LogLevel.Warning, Message = "Check for {Caller} refused ({Reason}): {Status}")]
    private static partial void LogRefused(ILogger logger, string caller, string reason, int status);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.CheckInspectionFailed, Level = LogLevel.Error, Message = "Inspection of a draft for {Caller} failed; answered as the relay would (fail closed)")]
    private static partial void LogInspectionFailed(ILogger logger, Exception exception, string caller);
}

/// <summary>The check API's shared parts: its settings, the relay's evaluator and the slots for checks running at once.</summary>
internal sealed class CheckService : IDisposable
{
    private readonly SemaphoreSlim _slots;

    public CheckService(PolicyOptions policy, IOptions<CheckOptions> options, TimeProvider time, IServiceProvider services)
    {
        Options = options.Value;
        Time = time;
        // The relay's inspection settings (OCR included) when the host has them, as InspectingDisposition gets them.
        Evaluator = new MessageEvaluator(policy, services.GetService<InspectionOptions>(), time);
        _slots = new SemaphoreSlim(Options.MaxConcurrent, Options.MaxConcurrent);
    }

    public CheckOptions Options { get; }

    public TimeProvider Time { get; }

    public MessageEvaluator Evaluator { get; }

    /// <summary>Checks holding a slot now (reading or judging a draft).</summary>
    public int Running => Options.MaxConcurrent - _slots.CurrentCount;

    public bool TryEnter() => _slots.Wait(0);

    public void Exit() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
