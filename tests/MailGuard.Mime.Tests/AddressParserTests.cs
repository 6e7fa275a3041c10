namespace MailGuard.Mime.Tests;

public sealed class AddressParserTests
{
    private static IReadOnlyList<MailboxAddress> Parse(string value) => AddressParser.ParseAddressList(value).Mailboxes;

    [Fact]
    public void ParseAddressList_BareAddrSpec_HasNoName()
    {
        var a = Assert.Single(Parse("john@example.com"));
        Assert.Null(a.Name);
        Assert.Equal("john@example.com", a.Address);
    }

    [Fact]
    public void ParseAddressList_QuotedDisplayNameWithComma_IsOneMailbox()
    {
        var a = Assert.Single(Parse("\"Surname, Forename\" <a@b.example>"));
        Assert.Equal("Surname, Forename", a.Name);
        Assert.Equal("a@b.example", a.Address);
    }

    [Fact]
    public void ParseAddressList_QuotedStringEscapes_AreRemovedFromName()
    {
        var a = Assert.Single(Parse("\"John \\\"Jack\\\" Doe\" <jd@example.com>"));
        Assert.Equal("John \"Jack\" Doe", a.Name);
    }

    [Fact]
    public void ParseAddressList_CommentAfterAddress_IsNotADisplayName()
    {
        var a = Assert.Single(Parse("bbb@ddd.com (John X. Doe)"));
        Assert.Null(a.Name);
        Assert.Equal("bbb@ddd.com", a.Address);
    }

    [Fact]
    public void ParseAddressList_NestedCommentsInsideAddress_AreSkipped()
    {
        var a = Assert.Single(Parse("Pete(A nice (nested) comment) <pete(his account)@silly.test(his host)>"));
        Assert.Equal("Pete", a.Name);
        Assert.Equal("pete@silly.test", a.Address);
    }

    [Fact]
    public void ParseAddressList_GroupWithMembers_FlattensWithGroupName()
    {
        var list = Parse("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Mary <mary@x.test>");
        Assert.Equal(4, list.Count);
        Assert.All(list.Take(3), a => Assert.Equal("A Group", a.Group));
        Assert.Null(list[3].Group);
        Assert.Equal("joe@where.test", list[1].Address);
    }

    [Fact]
    public void ParseAddressList_EmptyGroup_ContributesNothing()
    {
        Assert.Empty(Parse("undisclosed-recipients:;"));
        Assert.Single(Parse("undisclosed-recipients:;, a@b.example"));
    }

    [Fact]
    public void ParseAddressList_EncodedWordDisplayName_IsDecodedAndAdjacentWordsJoined()
    {
        var a = Assert.Single(Parse("=?UTF-8?B?WsO2w6s=?= =?ISO-8859-1?Q?_=C5ngstr=F6m?= <z@example.com>"));
        Assert.Equal("Zöë Ångström", a.Name);
    }

    [Fact]
    public void ParseAddressList_ObsoleteRoute_IsDropped()
    {
        var a = Assert.Single(Parse("Joe <@relay1.test,@relay2.test:joe@example.com>"));
        Assert.Equal("joe@example.com", a.Address);
    }

    [Fact]
    public void ParseAddressList_ObsoleteLocalPartWithSpacesAroundDots_IsJoined()
    {
        var a = Assert.Single(Parse("john . q . public @ example . com"));
        Assert.Equal("john.q.public@example.com", a.Address);
    }

    [Fact]
    public void ParseAddressList_QuotedLocalPartNeedingQuotes_StaysQuoted()
    {
        var a = Assert.Single(Parse("\"john doe\"@example.com"));
        Assert.Equal("john doe", a.LocalPart);
        Assert.Equal("\"john doe\"@example.com", a.Address);
    }

    [Fact]
    public void ParseAddressList_QuotedLocalPartThatIsADotAtom_IsWrittenUnquoted()
    {
        Assert.Equal("john.doe@example.com", Assert.Single(Parse("\"john.doe\"@example.com")).Address);
    }

    [Fact]
    public void ParseAddressList_NullAddress_IsEmpty()
    {
        Assert.Equal("", Assert.Single(Parse("<>")).Address);
    }

    [Fact]
    public void ParseAddressList_Smtputf8LocalPartAndIdnDomain_AreKept()
    {
        var a = Assert.Single(Parse("Jörg <jörg@bücher.example>"));
        Assert.Equal("jörg@bücher.example", a.Address);
        Assert.Equal("bücher.example", a.NormalizedDomain);
    }

    [Fact]
    public void NormalizedDomain_PunycodeALabel_IsConvertedToUnicodeLowerCase()
    {
        var a = Assert.Single(Parse("x@XN--BCHER-KVA.Example"));
        Assert.Equal("bücher.example", a.NormalizedDomain);
    }

    [Fact]
    public void ParseAddressList_DomainLiteral_IsKeptWithBrackets()
    {
        Assert.Equal("postmaster@[192.0.2.1]", Assert.Single(Parse("postmaster@[192.0.2.1]")).Address);
    }

    [Fact]
    public void ParseAddressList_EmptyListElements_AreIgnored()
    {
        Assert.Equal(2, Parse("a@x.example,, ,b@y.example").Count);
    }

    [Fact]
    public void ParseAddressList_GarbageBetweenMailboxes_SkipsOnlyTheBadElement()
    {
        var result = AddressParser.ParseAddressList("a@x.example, <<<>>, b@y.example");
        Assert.Equal(["a@x.example", "b@y.example"], result.Mailboxes.Select(m => m.Address));
        Assert.Equal(1, result.Errors);
    }

    [Fact]
    public void ParseAddressList_ManyRecipients_AllReturned()
    {
        string value = string.Join(", ", Enumerable.Range(0, 240).Select(i => $"\"Person {i}\" <p{i}@example{i % 10}.org>"));
        Assert.Equal(240, Parse(value).Count);
    }
}
