using System.Net;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Mime;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Notifications;

/// <summary>
/// MailGuard's own mail at SMTP time, over SMTP on loopback with the shipped policy: notices and
/// returns go only to a verified sender (internal, or authenticated as itself), never to a forged
/// external envelope sender; and what they quote from the message is one line, masked.
/// </summary>
public sealed class NoticeRecipientTests
{
    /// <summary>An external envelope sender that nothing vouches for: anyone on an allowed network can type it.</summary>
    private const string Forged = "ceo@victim.example";

    private const string Team = "security@corp.example";

    private static readonly string[] Partners = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();

    private static byte[] Exposing(string from, string subject = "Applications") => Encoding.UTF8.GetBytes(
        $"From: <{from}>\r\nTo: {string.Join(", ", Partners)}\r\nSubject: {subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@example.org>\r\n\r\nDear applicant, your appointment is confirmed.\r\n");

    private static Task<TestRelay> StartAsync(IDictionary<string, string?>? settings, params (string Key, string Value)[] policy) =>
        TestRelay.StartAsync(settings, services =>
        {
            services.AddSingleton(TestPolicies.ShippedForCorp(policy));
            services.AddSingleton<IMessageDisposition, InspectingDisposition>();
        });

    private static string HeldId(DeliveryResult result)
    {
        string text = result.Reply?.Text ?? "";
        Assert.True(text.StartsWith(ConsoleHarness.HeldPrefix, StringComparison.Ordinal), "not held: " + text);
        return text[ConsoleHarness.HeldPrefix.Length..];
    }

    /// <summary>The whole queue, every status: a notice is queued in the transaction that answers the client, so this is final once the reply is in.</summary>
    private static Task<IReadOnlyList<QueueEntryInfo>> QueueAsync(TestRelay relay) => relay.Store.ListAsync(new QueueQuery());

    [Fact]
    public async Task SmtpReturn_ForgedExternalSender_Refused550AndNothingQueued()
    {
        await using var relay = await StartAsync(null, ("Policy:Rules:0:Action", "Return"));

        var result = await TestMessages.SendAsync(relay.Port, Forged, Partners, Exposing(Forged));

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal(550, result.Reply!.Value.Code);
        Assert.Contains("use Bcc", result.Reply.Value.Text, StringComparison.Ordinal);
        // No bounce-back with the original to the forged address, and nothing else either.
        Assert.Empty(await QueueAsync(relay));
        string text = result.Reply.Value.Text;
        string id = text[(text.LastIndexOf('(') + 1)..text.LastIndexOf(')')];
        Assert.Equal("reject", Assert.Single(await ((IQuarantineStore)relay.Store).ListAuditAsync(id, 10)).Action);
    }

    [Fact]
    public async Task SmtpReturn_AuthenticatedAsItself_ReturnedToIt_AuthenticatedAsAnotherUser_Refused()
    {
        string dir = TempDirectory.Create("auth-return");
        try
        {
            string cert = Path.Combine(dir, "cert.pem");
            string key = Path.Combine(dir, "key.pem");
            TestMessages.WritePem(TestMessages.Certificate(), cert, key);
            const string Contractor = "contractor@partner.example";
            await using var relay = await StartAsync(
                new Dictionary<string, string?>
                {
                    ["Relay:AllowedNetworks:0"] = "192.0.2.0/24", // loopback clients must authenticate
                    ["Relay:Tls:CertificatePath"] = cert,
                    ["Relay:Tls:KeyPath"] = key,
                    ["Relay:Users:0"] = Contractor + ":" + MailGuard.Host.Security.Passwords.Hash("contractor pass", iterations: 1000),
                    ["Relay:Users:1"] = "alice:" + MailGuard.Host.Security.Passwords.Hash("alice pass", iterations: 1000),
                },
                ("Policy:Rules:0:Action", "Return"));

            var own = await SendAuthenticatedAsync(relay.Port, Contractor, "contractor pass", Contractor, Exposing(Contractor));
            var other = await SendAuthenticatedAsync(relay.Port, "alice", "alice pass", Forged, Exposing(Forged));

            Assert.Equal(DeliveryOutcome.Delivered, own.Outcome);
            Assert.Contains("returned to sender", own.Reply!.Value.Text, StringComparison.Ordinal);
            Assert.Equal(550, other.Reply!.Value.Code);
            var entry = Assert.Single(await QueueAsync(relay));
            Assert.Equal(Contractor, entry.Recipient);
            var notice = Assert.Single(await relay.WaitForPickupAsync(1));
            Assert.Equal("", notice.MailFrom);
            Assert.Equal([Contractor], notice.RcptTo);
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task Hold_ForgedExternalSender_HeldWithoutSenderNotice_SecurityTeamAlertedMasked()
    {
        await using var relay = await StartAsync(null, ("Policy:Notifications:SecurityTeam", Team));

        var result = await TestMessages.SendAsync(relay.Port, Forged, Partners, Exposing(Forged, "Claim for AB123456C"));

        string id = HeldId(result);
        Assert.Equal(QuarantineStatus.Held, (await ((IQuarantineStore)relay.Store).GetQuarantineAsync(id))!.Status);
        var entry = Assert.Single(await QueueAsync(relay));
        Assert.Equal(Team, entry.Recipient);
        var alert = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal([Team], alert.RcptTo);
        using var doc = MimeDocument.Load(alert.Content);
        Assert.Equal($"[MailGuard] held {MailGuard.Core.Notices.NoticeReference.For(id)}: Many external recipients can see each other's addresses in To/Cc; use Bcc.", doc.Message.Subject);
        string text = Encoding.UTF8.GetString(alert.Content);
        Assert.Contains("Subject: Claim for AB****56C", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AB123456C", text, StringComparison.Ordinal);
        // The team is told who sent it: the envelope sender is not masked for them.
        Assert.Contains($"A message from {Forged} was held", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RewriteBcc_ForgedExternalSender_DeliveredWithoutRecipientsHiddenNotice()
    {
        await using var relay = await StartAsync(null, ("Policy:Rules:0:Action", "RewriteBcc"));

        var result = await TestMessages.SendAsync(relay.Port, Forged, Partners, Exposing(Forged));

        Assert.StartsWith("Ok: queued as ", result.Reply!.Value.Text, StringComparison.Ordinal);
        var queue = await QueueAsync(relay);
        Assert.Equal(Partners.Length, queue.Count);
        Assert.All(queue, e => Assert.Equal(Forged, e.MailFrom));
    }

    [Fact]
    public async Task HeldNotice_SubjectAndFileNameWithIdentifiers_MaskedOneLineInSubjectTextAndHtml()
    {
        await using var relay = await StartAsync(null, ("Policy:Notifications:SecurityTeam", Team));
        // Line and paragraph separators, a right-to-left override and CR LF in the decoded subject;
        // an NI number and an address in the subject and an NI number in the attachment's name.
        string subject = "Claim for AB123456C\u2028Bcc: evil@attacker.example\u2029\u202Efdp.exe\r\nX-Injected: yes";
        string encoded = "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(subject)) + "?=";
        byte[] message = HeldMail.WithCsv("clerk@corp.example", ["partner@ext.example"], encoded, "Please find them attached.", "AB123456C claimants.csv", People.Csv());

        string id = HeldId(await TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["partner@ext.example"], message));

        var picked = await relay.WaitForPickupAsync(2);
        var held = Assert.Single(picked, p => p.RcptTo.SequenceEqual(["clerk@corp.example"]));
        var alert = Assert.Single(picked, p => p.RcptTo.SequenceEqual([Team]));
        foreach (var notice in new[] { held, alert })
        {
            using var doc = MimeDocument.Load(notice.Content);
            string noticeSubject = doc.Message.Subject!;
            var parts = doc.Message.Body.DescendantsAndSelf().Where(e => e.ContentType.MimeType is "text/plain" or "text/html").ToList();
            Assert.Equal(2, parts.Count);
            foreach (string shown in parts.Select(Decoded).Prepend(noticeSubject))
            {
                Assert.DoesNotContain("AB123456C", shown, StringComparison.Ordinal);
                Assert.DoesNotContain("evil@attacker.example", shown, StringComparison.Ordinal);
                Assert.DoesNotContain(shown, c => c is '\u2028' or '\u2029' or '\u202E');
            }

            Assert.DoesNotContain(noticeSubject, c => c is '\r' or '\n');
            Assert.Null(doc.Message.Headers["X-Injected"]);
            Assert.DoesNotContain("AB123456C", Encoding.UTF8.GetString(notice.Content), StringComparison.Ordinal);
            // The file name reaches the finding lines masked too.
            Assert.Contains("AB****56C claimants.csv", Decoded(parts[0]), StringComparison.Ordinal);
        }

        using (var doc = MimeDocument.Load(held.Content))
        {
            Assert.Equal("Held for review: Claim for AB****56C Bcc: e***@attacker.example fdp.exe X-Injected: yes", doc.Message.Subject);
        }

        Assert.Contains("Subject: Claim for AB****56C Bcc: e***@attacker.example fdp.exe X-Injected: yes", Encoding.UTF8.GetString(alert.Content), StringComparison.Ordinal);
        Assert.Contains(id, Encoding.UTF8.GetString(held.Content), StringComparison.Ordinal);
    }

    private static string Decoded(MimeEntity part)
    {
        using var reader = new StreamReader(part.OpenDecodedContent(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static async Task<DeliveryResult> SendAuthenticatedAsync(int port, string user, string password, string from, byte[] content)
    {
        await using var client = new SmtpDeliveryClient(new SmtpClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            StartTls = StartTlsMode.Required,
            CertificateValidation = (_, _, _, _) => true,
            Credentials = new NetworkCredential(user, password),
        });
        return await client.SendAsync(new SmtpOutgoingMessage(from, Partners, new MemoryStream(content)) { Has8BitContent = true });
    }
}
