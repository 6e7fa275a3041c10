namespace MailGuard.EndToEnd.Tests.Review;

/// <summary>
/// A small stand-in for the part of Office.js the add-in uses, installed in the page before any
/// script runs (the real office.js is blocked from loading): the compose item's to/cc/bcc
/// (getAsync, setAsync, addAsync), from, subject, body (text and HTML), attachments and their
/// content, internetHeaders (setAsync, removeAsync), sendAsync, requirement sets, and
/// Office.actions.associate. Callbacks are called later, as Office.js does. Tests drive it through
/// window.__mailguardTest: set a draft, fire OnMessageSend (resolves with what event.completed got),
/// run the Move to Bcc function command, and read back the draft, the headers and the sends.
/// </summary>
internal static class OfficeStandIn
{
    public const string Script = """
        (function () {
          "use strict";
          var test = window.__mailguardTest = { handlers: {}, completed: [], headers: {}, sent: 0, mailboxMinor: 15, draft: null };
          function later(cb, value) { if (cb) { setTimeout(function () { cb({ status: "succeeded", value: value }); }, 0); } }
          function callback(a, b) { return typeof a === "function" ? a : b; }
          function entry(r) { return typeof r === "string" ? { emailAddress: r, displayName: r } : { emailAddress: r.emailAddress, displayName: r.displayName || r.emailAddress }; }
          function copy(list) { return list.map(function (r) { return { emailAddress: r.emailAddress, displayName: r.displayName }; }); }
          function recipients(field) {
            return {
              getAsync: function (a, b) { later(callback(a, b), copy(test.draft[field])); },
              setAsync: function (list, a, b) { test.draft[field] = list.map(entry); later(callback(a, b)); },
              addAsync: function (list, a, b) { test.draft[field] = test.draft[field].concat(list.map(entry)); later(callback(a, b)); }
            };
          }
          var item = {
            to: recipients("to"), cc: recipients("cc"), bcc: recipients("bcc"),
            from: { getAsync: function (a, b) { later(callback(a, b), { emailAddress: test.draft.from, displayName: test.draft.from }); } },
            subject: { getAsync: function (a, b) { later(callback(a, b), test.draft.subject); } },
            body: { getAsync: function (type, a, b) { later(callback(a, b), type === "html" ? test.draft.html : test.draft.text); } },
            getAttachmentsAsync: function (a, b) {
              later(callback(a, b), test.draft.attachments.map(function (x, i) { return { id: "att" + i, name: x.name, contentType: x.type, size: x.content.length, attachmentType: "file", isInline: false }; }));
            },
            getAttachmentContentAsync: function (id, a, b) {
              var x = test.draft.attachments[Number(id.slice(3))];
              later(callback(a, b), { format: "base64", content: x.content });
            },
            internetHeaders: {
              setAsync: function (headers, a, b) { Object.keys(headers).forEach(function (k) { test.headers[k] = headers[k]; }); later(callback(a, b)); },
              removeAsync: function (names, a, b) { names.forEach(function (k) { delete test.headers[k]; }); later(callback(a, b)); }
            },
            sendAsync: function (a, b) { test.sent++; later(callback(a, b)); }
          };
          window.Office = {
            AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
            CoercionType: { Text: "text", Html: "html" },
            MailboxEnums: { SendModeOverride: { PromptUser: "promptUser" } },
            context: {
              mailbox: { item: item, userProfile: { emailAddress: "clerk@corp.example" } },
              requirements: { isSetSupported: function (name, version) { return name === "Mailbox" && Number(version.split(".")[1]) <= test.mailboxMinor; } }
            },
            actions: { associate: function (name, handler) { test.handlers[name] = handler; } },
            onReady: function (cb) { var info = { host: "Outlook" }; if (cb) { setTimeout(function () { cb(info); }, 0); } return Promise.resolve(info); }
          };
          test.setDraft = function (draft) {
            test.draft = { from: draft.from, to: draft.to.map(entry), cc: (draft.cc || []).map(entry), bcc: (draft.bcc || []).map(entry), subject: draft.subject, text: draft.text, html: draft.html || "", attachments: draft.attachments || [] };
            test.headers = {};
            test.sent = 0;
          };
          test.fireSend = function () {
            var started = Date.now();
            return new Promise(function (resolve) {
              test.handlers.onMessageSendHandler({ completed: function (options) { test.completed.push(options); resolve({ options: options || {}, ms: Date.now() - started }); } });
            });
          };
          test.runCommand = function (name) {
            return new Promise(function (resolve) { test.handlers[name]({ completed: function () { resolve(true); } }); });
          };
          test.snapshot = function () {
            function addresses(list) { return list.map(function (r) { return r.emailAddress; }); }
            return { to: addresses(test.draft.to), cc: addresses(test.draft.cc), bcc: addresses(test.draft.bcc), headers: test.headers, sent: test.sent };
          };
        }());
        """;
}
