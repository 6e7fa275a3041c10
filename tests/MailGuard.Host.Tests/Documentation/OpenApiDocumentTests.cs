using System.Text.Json;
using MailGuard.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Documentation;

/// <summary>
/// docs/openapi.json describes the API as MailGuard maps it: every route under /api with each of its
/// HTTP methods is in the document, and the document names no route MailGuard does not map. Read
/// from the running console's endpoint table, so a new endpoint without a description fails here.
/// </summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task Document_DescribesExactlyTheMappedApiRoutes()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var mapped = console.Relay.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.TrimStart('/').StartsWith("api/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m.ToUpperInvariant()} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .ToHashSet(StringComparer.Ordinal);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "openapi.json")));
        Assert.StartsWith("3.1", doc.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                documented.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
            }
        }

        Assert.NotEmpty(mapped);
        Assert.True(mapped.SetEquals(documented),
            "not documented: " + string.Join(", ", mapped.Except(documented)) + "; documented but not mapped: " + string.Join(", ", documented.Except(mapped)));
    }
}
