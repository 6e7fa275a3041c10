using System.Security.Cryptography;
using MailGuard.Core.Notices;

namespace MailGuard.Core.Tests.Notices;

public sealed class ReleaseRequestLinksTests
{
    private const string Id = "01kbz3q9w0a1b2c3d4e5";

    private static ReleaseRequestLinks NewLinks() => new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Create_ThenVerify_SameIdAndKey_True()
    {
        var links = NewLinks();

        Assert.True(links.Verify(Id, links.Create(Id)));
    }

    [Fact]
    public void Verify_TokenOfAnotherMessage_False()
    {
        var links = NewLinks();

        Assert.False(links.Verify(Id, links.Create("01kbz3q9w0a1b2c3d4e6")));
        Assert.False(links.Verify("01kbz3q9w0a1b2c3d4e6", links.Create(Id)));
    }

    [Fact]
    public void Verify_TokenMadeWithAnotherKey_False()
    {
        Assert.False(NewLinks().Verify(Id, NewLinks().Create(Id)));
    }

    [Fact]
    public void Verify_AnyOneCharacterChanged_False()
    {
        var links = NewLinks();
        string token = links.Create(Id);
        for (int i = 0; i < token.Length; i++)
        {
            char other = token[i] == 'A' ? 'B' : 'A';
            string altered = token[..i] + other + token[(i + 1)..];
            Assert.False(links.Verify(Id, altered), $"changed at {i}");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA+/")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA\u00e9")]
    public void Verify_MalformedToken_False(string? token)
    {
        Assert.False(NewLinks().Verify(Id, token));
    }

    [Fact]
    public void Verify_NoMessageId_False()
    {
        var links = NewLinks();

        Assert.False(links.Verify(null, links.Create(Id)));
        Assert.False(links.Verify("", links.Create(Id)));
    }

    [Fact]
    public void Create_AnyId_24Base64UrlCharacters()
    {
        var links = NewLinks();
        foreach (string id in new[] { "a", Id, new string('z', 500), "ünïcode-id" })
        {
            string token = links.Create(id);
            Assert.Equal(ReleaseRequestLinks.TokenLength, token.Length);
            Assert.All(token, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}' in {token}"));
            Assert.True(links.Verify(id, token));
        }
    }

    [Fact]
    public void Create_SameKey_SameToken()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(new ReleaseRequestLinks(key).Create(Id), new ReleaseRequestLinks(key.ToArray()).Create(Id));
    }

    [Fact]
    public void Link_BaseUrlWithTrailingSlash_IdAndTokenAppended()
    {
        var links = NewLinks();

        Assert.Equal($"https://mailguard.example.org/request/{Id}/{links.Create(Id)}", links.Link("https://mailguard.example.org/request/", Id));
    }

    [Fact]
    public void FromBase64_TooShortOrNotBase64_Problem()
    {
        Assert.Null(ReleaseRequestLinks.FromBase64(Convert.ToBase64String(new byte[31]), out string? shortProblem));
        Assert.Equal("must be at least 32 bytes of base64 (got 31 bytes)", shortProblem);
        Assert.Null(ReleaseRequestLinks.FromBase64("not base64!", out string? formatProblem));
        Assert.Equal("is not base64", formatProblem);
        Assert.Null(ReleaseRequestLinks.FromBase64(null, out string? none));
        Assert.Null(none);
        Assert.NotNull(ReleaseRequestLinks.FromBase64(Convert.ToBase64String(new byte[64]), out _));
    }

    [Fact]
    public void FromKeyFile_NoFile_CreatesOwnerOnlyKeyThatLaterLoadsReuse()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mg-linkkey-{Guid.NewGuid():N}");
        string path = Path.Combine(dir, "link.key");
        try
        {
            var first = ReleaseRequestLinks.FromKeyFile(path);
            var second = ReleaseRequestLinks.FromKeyFile(path);

            Assert.True(second.Verify(Id, first.Create(Id)));
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(path).Trim()).Length);
            Assert.Equal(["link.key"], Directory.GetFiles(dir).Select(Path.GetFileName));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FromKeyFile_ManyAtOnce_AllAgreeOnOneKey()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mg-linkkey-{Guid.NewGuid():N}");
        string path = Path.Combine(dir, "link.key");
        try
        {
            var all = new ReleaseRequestLinks[8];
            Parallel.For(0, all.Length, i => all[i] = ReleaseRequestLinks.FromKeyFile(path));

            string token = all[0].Create(Id);
            Assert.All(all, l => Assert.Equal(token, l.Create(Id)));
            Assert.Equal(["link.key"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FromKeyFile_FileWithoutKey_IOExceptionNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mg-linkkey-{Guid.NewGuid():N}.key");
        File.WriteAllText(path, "c2hvcnQ=\n");
        try
        {
            var ex = Assert.Throws<IOException>(() => ReleaseRequestLinks.FromKeyFile(path));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Equal("c2hvcnQ=\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
