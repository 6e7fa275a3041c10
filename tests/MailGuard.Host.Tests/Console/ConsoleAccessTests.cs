using System.Net;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MailGuard.Host.Tests.Review;

/// <summary>Issue 6 item 7: who may reach what. Routes are enumerated from the running console, so a new page cannot be forgotten.</summary>
public sealed class ConsoleAccessTests(ITestOutputHelper output)
{
    /// <summary>
    /// Routes a client without a session or token may reach, each for a reason. Anything else that
    /// answers an anonymous request with content fails <see cref="EveryRoute_Anonymous_RefusedUnlessListedAsPublic"/>.
    /// </summary>
    private static readonly Dictionary<string, string> s_public = new(StringComparer.OrdinalIgnoreCase)
    {
        ["/login"] = "the login form itself",
        ["/healthz"] = "liveness for load balancers: 'healthy' or 'unhealthy', nothing else",
        ["/assets/site.css"] = "the stylesheet the login page needs",
        ["/metrics"] = "Prometheus text, restricted to Console:MetricsAllowedNetworks (loopback by default)",
        ["/request/{id}/{token}"] = "the sender's release request, guarded by the signed link token",
        ["/error"] = "the error page",
        ["/addin/{file}"] = "the Outlook add-in's page, script and icons, which Outlook fetches without credentials (404 without Addin:CheckToken)",
    };

    private sealed record Route(string Template, IReadOnlyList<string> Methods, bool AllowsAnonymous, string DisplayName);

    [Fact]
    public async Task EveryRoute_Anonymous_RefusedUnlessListedAsPublic()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string subject = "Anonymous probe " + Guid.NewGuid().ToString("N")[..8];
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing(subject, to));
        var routes = await RoutesAsync(console.Console.Services);

        // The enumeration sees the console's pages and the API (guards against it finding nothing).
        foreach (string expected in new[] { "/messages", "/messages/{id}", "/messages/{id}/original", "/audit", "/account", "/admin/users", "/admin/tokens", "/api/messages", "/api/messages/{id}", "/login", "/healthz" })
        {
            Assert.Contains(routes, r => r.Template.Equals(expected, StringComparison.OrdinalIgnoreCase));
        }

        // Only the public routes are marked anonymous in the app itself.
        Assert.All(routes.Where(r => r.AllowsAnonymous), r => Assert.True(IsPublic(r.Template), $"{r.Template} ({r.DisplayName}) allows anonymous access but is not in the list of public routes"));

        var anonymous = console.NewSession();
        int probes = 0;
        foreach (var route in routes)
        {
            string path = Fill(route.Template, id);
            foreach (string method in route.Methods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                bool api = route.Template.StartsWith("/api/", StringComparison.OrdinalIgnoreCase);
                if (method != "GET")
                {
                    request.Content = api
                        ? new StringContent("{\"reason\": \"anonymous\"}", Encoding.UTF8, "application/json")
                        : new FormUrlEncodedContent([new("verb", "release"), new("reason", "anonymous"), new("op", "create"), new("name", "intruder"), new("role", "admin")]);
                }

                using var response = await anonymous.Client.SendAsync(request);
                string body = await response.Content.ReadAsStringAsync();
                string what = $"{method} {path} ({route.DisplayName}): {(int)response.StatusCode} {response.Headers.Location}";
                probes++;
                output.WriteLine(what);
                Assert.True((int)response.StatusCode < 500, what);
                Assert.DoesNotContain(subject, body, StringComparison.Ordinal);
                ConsoleAssert.SecurityHeaders(response);
                if (IsPublic(route.Template))
                {
                    AssertPublic(route.Template, method, response, body, what);
                }
                else if (api)
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, what);
                    await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
                    Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
                }
                else if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
                {
                    ConsoleAssert.RedirectsTo(response, "/login");
                }
            }
        }

        Assert.True(probes >= 15, $"only {probes} requests made");
        // No anonymous POST did anything.
        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        Assert.DoesNotContain(await console.Accounts.Store.ListUsersAsync(), u => u.Name == "intruder");
        Assert.Empty(await console.Accounts.Store.ListTokensAsync());
    }

    [Fact]
    public async Task Reviewer_AdminRoutes_DeniedAndAdminFormsDoNothing()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Quarterly figures", to));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);

        string list = await reviewer.PageAsync("/messages");
        Assert.DoesNotContain("href=\"/admin/", list, StringComparison.Ordinal);
        Assert.DoesNotContain("/original", await reviewer.PageAsync("/messages/" + id), StringComparison.Ordinal);

        foreach (string path in new[] { "/admin/users", "/admin/tokens", $"/messages/{id}/original" })
        {
            using var response = await reviewer.GetAsync(path);
            ConsoleAssert.RedirectsTo(response, "/denied");
            using var denied = await reviewer.Client.GetAsync(response.Headers.Location!);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("Not allowed", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The admin forms, posted with the reviewer's own valid antiforgery token, are refused before they run.
        string token = await reviewer.TokenAsync("/messages");
        using (var response = await reviewer.PostFormAsync("/admin/users", [("op", "create"), ("name", "sneaky"), ("role", "admin")], token))
        {
            ConsoleAssert.RedirectsTo(response, "/denied");
        }

        using (var response = await reviewer.PostFormAsync("/admin/tokens", [("op", "create"), ("name", "sneaky"), ("role", "admin")], token))
        {
            ConsoleAssert.RedirectsTo(response, "/denied");
        }

        Assert.DoesNotContain(await console.Accounts.Store.ListUsersAsync(), u => u.Name == "sneaky");
        Assert.Empty(await console.Accounts.Store.ListTokensAsync());
        Assert.DoesNotContain(await console.Quarantine.ListAuditAsync(id, 100), a => a.Action == "original-opened");
    }

    [Fact]
    public async Task Api_ReviewerAndAdminTokens_Work_RevokedMalformedAndSessionCookieGet401()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (reviewerApi, _, reviewerSecret) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var (adminApi, _, _) = await console.ApiClientAsync(ConsoleRole.Admin);

        foreach (var client in new[] { reviewerApi, adminApi })
        {
            using var response = await client.GetAsync("/api/messages?status=held");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(0, json.RootElement.GetProperty("total").GetInt64());
        }

        // Malformed: wrong prefix, short id, upper-case id, no secret, wrong secret, another scheme, oversized.
        string id = reviewerSecret["mgt_".Length..reviewerSecret.IndexOf('_', 4)];
        string secret = reviewerSecret[(reviewerSecret.IndexOf('_', 4) + 1)..];
        string[] malformed =
        [
            "Bearer garbage",
            "Bearer mgt_",
            "Bearer mgt_zz_zz",
            $"Bearer mgt_{id.ToUpperInvariant()}_{secret}",
            $"Bearer mgt_{id}_",
            $"Bearer mgt_{id}_{(secret[0] == 'A' ? 'B' : 'A')}{secret[1..]}",
            $"Bearer xyz_{id}_{secret}",
            $"Basic {Convert.ToBase64String(Encoding.ASCII.GetBytes("admin:" + reviewerSecret))}",
            "Bearer mgt_" + new string('a', 12) + "_" + new string('x', 5000),
            "Bearer",
        ];
        foreach (string header in malformed)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/messages");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await console.ApiClient(null).SendAsync(request);
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        // Revoked through the admin page's form: the token stops working at once.
        var admin = await console.LoginAsync(ConsoleRole.Admin);
        Assert.Contains(id, await admin.PageAsync("/admin/tokens"), StringComparison.Ordinal);
        using (var revoke = await admin.PostFormAsync("/admin/tokens", [("op", "revoke"), ("id", id)], await admin.TokenAsync("/admin/tokens")))
        {
            ConsoleAssert.RedirectsTo(revoke, "/admin/tokens");
        }

        using (var response = await reviewerApi.GetAsync("/api/messages"))
        {
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using (var response = await adminApi.GetAsync("/api/messages"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Neither credential works on the other side: a session cookie on the API, a token on a page.
        using (var response = await admin.GetAsync("/api/messages"))
        {
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using (var response = await adminApi.GetAsync("/messages"))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }
    }

    private static bool IsPublic(string template) =>
        s_public.ContainsKey(template) || template.StartsWith("/error", StringComparison.OrdinalIgnoreCase) || template.StartsWith("/request/", StringComparison.OrdinalIgnoreCase);

    private static void AssertPublic(string template, string method, HttpResponseMessage response, string body, string what)
    {
        switch (template.ToLowerInvariant())
        {
            case "/login" when method == "GET":
                Assert.True(response.StatusCode == HttpStatusCode.OK, what);
                Assert.Contains("name=\"Password\"", body, StringComparison.Ordinal);
                break;
            case "/login":
                // A login post without the form's antiforgery token.
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, what);
                break;
            case "/healthz":
                Assert.True(response.StatusCode == HttpStatusCode.OK, what);
                Assert.Equal("healthy", body.Trim());
                break;
            case "/assets/site.css":
                Assert.True(response.StatusCode == HttpStatusCode.OK, what);
                Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
                break;
            case "/metrics":
                // Loopback is in the default Console:MetricsAllowedNetworks.
                Assert.True(response.StatusCode == HttpStatusCode.OK, what);
                Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
                break;
            default:
                // The sender's request page with a made-up link token, error pages: never the held message (checked by the caller), never a 5xx.
                break;
        }
    }

    private static string Fill(string template, string id)
    {
        var path = new StringBuilder();
        foreach (string segment in template.Split('/'))
        {
            if (segment.Length == 0)
            {
                continue;
            }

            string name = segment.StartsWith('{') ? segment.Trim('{', '}', '*', '?').Split(':', '=')[0].ToLowerInvariant() : "";
            path.Append('/').Append(name switch
            {
                "" => segment,
                "id" => id,
                "action" => "release",
                "token" => new string('A', 24),
                _ => "x",
            });
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    /// <summary>The console's routes with the methods each answers: an API endpoint's declared methods; a page's GET and its handlers' methods.</summary>
    private static async Task<List<Route>> RoutesAsync(IServiceProvider services)
    {
        var source = services.GetRequiredService<EndpointDataSource>();
        var loader = services.GetRequiredService<PageLoader>();
        var routes = new Dictionary<string, Route>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            string template = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
            IEnumerable<string> methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = page as CompiledPageActionDescriptor ?? await loader.LoadAsync(page, endpoint.Metadata);
                methods = compiled.HandlerMethods.Select(h => h.HttpMethod.ToUpperInvariant()).Append("GET");
            }

            bool anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var methodList = methods.Distinct().Order(StringComparer.Ordinal).ToList();
            if (routes.TryGetValue(template, out var existing))
            {
                methodList = existing.Methods.Union(methodList).Order(StringComparer.Ordinal).ToList();
                anonymous |= existing.AllowsAnonymous;
            }

            routes[template] = new Route(template, methodList, anonymous, endpoint.DisplayName ?? template);
        }

        return routes.Values.OrderBy(r => r.Template, StringComparer.Ordinal).ToList();
    }
}
