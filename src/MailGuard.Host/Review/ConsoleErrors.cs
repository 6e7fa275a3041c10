using Microsoft.AspNetCore.Diagnostics;

namespace MailGuard.Host.Review;

/// <summary>
/// Errors as RFC 9457 problem details for the API and a plain page for the console; neither ever
/// carries an exception's message or stack trace (those go to the log, with the request's trace id).
/// </summary>
internal static partial class ConsoleErrors
{
    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/metrics");

    public static async Task HandleExceptionAsync(HttpContext context)
    {
        var feature = context.Features.Get<IExceptionHandlerFeature>();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MailGuard.Host.Review.ConsoleErrors");
        if (feature?.Error is { } error && Core.Store.StoreFaults.IsStoreFault(error))
        {
            // The store is down or restarting: the console says so and asks to come back, instead of a 500.
            LogStoreUnavailable(logger, error, LoggablePath(feature.Path ?? context.Request.Path.Value ?? ""));
            context.RequestServices.GetService<Metrics.MailGuardMetrics>()?.StoreFaulted(Core.Store.StoreOperation.Console);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "10";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Store unavailable", "The message store did not answer; try again in a few seconds.");
            return;
        }

        LogError(logger, feature?.Error, context.Request.Method, LoggablePath(feature?.Path ?? context.Request.Path.Value ?? ""), context.TraceIdentifier);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        await WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal error", $"The request failed; the server log has the details under trace id {context.TraceIdentifier}.");
    }

    /// <summary>
    /// The path as it may be logged: a release-request link carries its MAC in the path, which is a
    /// credential for that message's request page, so only its route is kept. (Query strings, where
    /// searches go, are never logged.)
    /// </summary>
    public static string LoggablePath(string path) =>
        path.StartsWith("/request/", StringComparison.OrdinalIgnoreCase) ? "/request/{id}/{token}" : path;

    public static async Task HandleStatusCodeAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        int code = context.Response.StatusCode;
        string title = code switch
        {
            400 => "Bad request",
            401 => "Authentication required",
            403 => "Forbidden",
            404 => "Not found",
            405 => "Method not allowed",
            409 => "Conflict",
            413 => "Request too large",
            _ => "Error",
        };
        await WriteAsync(context, code, title, null);
    }

    public static Task WriteAsync(HttpContext context, int status, string title, string? detail)
    {
        if (IsApi(context.Request))
        {
            return Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}").ExecuteAsync(context);
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        string body = $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{status} {title}</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head><body><main><h1>{status} {title}</h1><p>{System.Net.WebUtility.HtmlEncode(detail ?? "")}</p><p><a href=\"/messages\">Held messages</a></p></main></body></html>";
        return context.Response.WriteAsync(body);
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ConsoleStoreUnavailable, Level = LogLevel.Warning, Message = "Store did not answer for {What}")]
    public static partial void LogStoreUnavailable(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ConsoleError, Level = LogLevel.Error, Message = "Console request {Method} {Path} failed (trace {TraceId})")]
    private static partial void LogError(ILogger logger, Exception? exception, string method, string path, string traceId);
}
