using MailGuard.Smtp.Server;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

public sealed class SmtpHookFailureTests
{
    [Fact]
    public async Task Data_BeginMessageThrows_Replies451AndSessionContinues()
    {
        var hooks = new TestHooks { ThrowOnBegin = true };
        await using var server = await TestServer.StartAsync(hooks: hooks);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");

        Assert.StartsWith("451 4.3.0", await client.CommandAsync("DATA"));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<b@example.test>"));
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Bdat_BeginMessageThrows_ChunkDrainedThen451()
    {
        var hooks = new TestHooks { ThrowOnBegin = true };
        await using var server = await TestServer.StartAsync(hooks: hooks);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");

        await client.SendAsync("BDAT 6 LAST\r\nQUIT\r\n");

        Assert.StartsWith("451 4.3.0", await client.ReadReplyAsync());
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Commit_HookRejects_ReplySentVerbatimAndTransactionReset()
    {
        var hooks = new TestHooks { CommitReply = _ => SmtpReplies.ContentRejected("Message contains personal data") };
        await using var server = await TestServer.StartAsync(hooks: hooks);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");

        Assert.Equal("550 5.7.1 Message contains personal data", await client.CommandAsync("x\r\n."));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<b@example.test>"));
    }
}
