/*
 * MailGuard's Outlook add-in: Smart Alerts on OnMessageSend (Mailbox 1.12+).
 *
 * When the sender presses Send, the draft (recipients, subject, body, attachments) goes to
 * MailGuard's check API, which judges it with the relay's own policy. Then:
 *   - nothing the relay would stop: the message is sent at once;
 *   - external recipients who would see each other: blocked, with a "Move to Bcc" button (1.14)
 *     that moves exactly the addresses MailGuard names and sends (1.15) or lets the sender send;
 *   - personal data: blocked with what was found and the organisation's text for the rule;
 *     "Send anyway" only where every rule that stops it allows an override, and the choice is
 *     recorded in the message (X-MailGuard-Override) for the relay, which still decides;
 *   - MailGuard unreachable, slow (the time budget, 3 s by default) or answering with an error:
 *     the message is sent and the relay decides (fail open here, closed at the gateway).
 *
 * The console serves this file with MAILGUARD_ADDIN_SETTINGS (check URL, token, time budget)
 * prepended. No build step, no dependencies beyond Office.js.
 */
(function (root) {
  "use strict";

  var settings = typeof root.MAILGUARD_ADDIN_SETTINGS === "object" && root.MAILGUARD_ADDIN_SETTINGS ? root.MAILGUARD_ADDIN_SETTINGS : {};
  var OVERRIDE_HEADER = "X-MailGuard-Override";
  var MOVE_TO_BCC_COMMAND = "mailguardMoveToBccButton";
  // Smart Alerts shows at most 500 characters of errorMessage.
  var MAX_MESSAGE = 500;

  function budgetMs() {
    var ms = Number(settings.timeoutMs);
    return ms > 0 ? ms : 3000;
  }

  /* The page's own origin where there is one (Outlook on the web, new Outlook, Mac); classic
     Outlook on Windows runs this file alone, and uses the URL the console wrote into it. */
  function checkUrl() {
    if (root.location && /^https?:$/.test(root.location.protocol) && root.location.origin) {
      return root.location.origin + "/api/v1/check";
    }
    return settings.checkUrl;
  }

  function supports(version) {
    try {
      return !!(Office.context.requirements && Office.context.requirements.isSetSupported("Mailbox", version));
    } catch (e) {
      return false;
    }
  }

  /* An Office.js callback API as a promise. */
  function call(start) {
    return new Promise(function (resolve, reject) {
      start(function (result) {
        if (result && result.status === Office.AsyncResultStatus.Succeeded) {
          resolve(result.value);
        } else {
          reject(new Error(result && result.error ? result.error.message : "Office.js call failed"));
        }
      });
    });
  }

  function addresses(details) {
    return (details || []).map(function (d) { return d.emailAddress; }).filter(function (a) { return !!a; });
  }

  function utf8ToBase64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  /* Attachments with their content (Mailbox 1.8); cloud attachments (links) carry no content to judge. */
  function readAttachments(item) {
    if (typeof item.getAttachmentsAsync !== "function") {
      return Promise.resolve([]);
    }
    return call(function (cb) { item.getAttachmentsAsync(cb); }).then(function (list) {
      return Promise.all((list || []).map(function (a) {
        return call(function (cb) { item.getAttachmentContentAsync(a.id, cb); }).then(function (content) {
          if (content.format === "base64") {
            return { name: a.name, type: a.contentType, content: content.content };
          }
          if (content.format === "eml" || content.format === "iCalendar") {
            return { name: a.name, type: content.format === "eml" ? "message/rfc822" : "text/calendar", content: utf8ToBase64(content.content) };
          }
          return null;
        });
      }));
    }).then(function (all) { return all.filter(function (a) { return a !== null; }); });
  }

  function readFrom(item) {
    var fallback = Office.context.mailbox.userProfile ? Office.context.mailbox.userProfile.emailAddress : null;
    if (!item.from || typeof item.from.getAsync !== "function") {
      return Promise.resolve(fallback);
    }
    return call(function (cb) { item.from.getAsync(cb); }).then(function (from) {
      return from && from.emailAddress ? from.emailAddress : fallback;
    }, function () { return fallback; });
  }

  /* The draft as the check API's JSON takes it. */
  function readDraft(item) {
    return Promise.all([
      readFrom(item),
      call(function (cb) { item.to.getAsync(cb); }),
      call(function (cb) { item.cc.getAsync(cb); }),
      call(function (cb) { item.bcc.getAsync(cb); }),
      call(function (cb) { item.subject.getAsync(cb); }),
      call(function (cb) { item.body.getAsync(Office.CoercionType.Text, cb); }),
      call(function (cb) { item.body.getAsync(Office.CoercionType.Html, cb); }),
      readAttachments(item)
    ]).then(function (v) {
      var draft = { to: addresses(v[1]), cc: addresses(v[2]), bcc: addresses(v[3]), subject: v[4] || "", body_text: v[5] || "", body_html: v[6] || "", attachments: v[7] };
      if (v[0]) {
        draft.from = v[0];
      }
      return draft;
    });
  }

  /* POST the draft; rejects on any failure, answer not JSON included, or when the budget is spent. */
  function postCheck(draft, timeoutMs) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, timeoutMs);
    return fetch(checkUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + settings.token },
      body: JSON.stringify(draft),
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("check API answered " + response.status);
      }
      return response.json();
    }).finally(function () { clearTimeout(timer); });
  }

  function findFix(answer, type) {
    return (answer.fixes || []).filter(function (f) { return f.type === type; });
  }

  /* The dialog's text: what was found, the organisation's words, what the sender can do. */
  function describe(answer) {
    var lines = [];
    (answer.messages || []).forEach(function (m) {
      lines.push(m.reason ? m.text + " " + m.reason : m.text);
    });
    findFix(answer, "remove-attachment").forEach(function (f) {
      lines.push("Remove " + f.file_name + " before sending.");
    });
    findFix(answer, "remove-recipients").forEach(function (f) {
      lines.push("Remove the private mailboxes: " + f.addresses.join(", ") + ".");
    });
    if (findFix(answer, "move-to-bcc").length > 0) {
      lines.push("Move to Bcc moves them out of To and Cc and sends.");
    }
    if (answer.override_allowed) {
      lines.push("If you send anyway, your choice is recorded and MailGuard still applies the policy when the message leaves: it may still be held for review.");
    }
    var text = lines.join("\n");
    return text.length > MAX_MESSAGE ? text.slice(0, MAX_MESSAGE - 1) + "\u2026" : text;
  }

  function setOverride(item, rules) {
    if (!item.internetHeaders || typeof item.internetHeaders.setAsync !== "function") {
      return Promise.resolve();
    }
    var headers = {};
    headers[OVERRIDE_HEADER] = rules.join(",");
    return call(function (cb) { item.internetHeaders.setAsync(headers, cb); });
  }

  /* A header from an earlier Send that was then not chosen must not ride along on this one. */
  function clearOverride(item) {
    if (!item.internetHeaders || typeof item.internetHeaders.removeAsync !== "function") {
      return Promise.resolve();
    }
    return call(function (cb) { item.internetHeaders.removeAsync([OVERRIDE_HEADER], cb); }).catch(function () { return undefined; });
  }

  /* What event.completed gets for an answer; the override header is set first where one is offered. */
  function decide(item, answer) {
    if (!answer || answer.stops !== true) {
      return Promise.resolve({ allowEvent: true });
    }
    var options = { allowEvent: false, errorMessage: describe(answer) };
    if (findFix(answer, "move-to-bcc").length > 0 && supports("1.14")) {
      options.cancelLabel = "Move to Bcc";
      options.commandId = MOVE_TO_BCC_COMMAND;
    }
    if (answer.override_allowed && supports("1.14")) {
      options.sendModeOverride = Office.MailboxEnums.SendModeOverride.PromptUser;
      var rules = (answer.rules || []).filter(function (r) { return r.allow_override && r.action !== "deliver" && r.action !== "tag"; }).map(function (r) { return r.name; });
      return setOverride(item, rules).then(function () { return options; }, function () { return options; });
    }
    return Promise.resolve(options);
  }

  /* OnMessageSend: never leaves Send stuck; whatever goes wrong, the message goes and the relay decides. */
  function onMessageSendHandler(event) {
    var item = Office.context.mailbox.item;
    var finished = false;
    function finish(options) {
      if (!finished) {
        finished = true;
        event.completed(options);
      }
    }
    var started = Date.now();
    var budget = budgetMs();
    var timer = setTimeout(function () { finish({ allowEvent: true }); }, budget);
    clearOverride(item)
      .then(function () { return readDraft(item); })
      .then(function (draft) { return postCheck(draft, Math.max(1, budget - (Date.now() - started))); })
      .then(function (answer) {
        if (finished) {
          return undefined;
        }
        clearTimeout(timer);
        return decide(item, answer).then(finish);
      })
      .catch(function () {
        clearTimeout(timer);
        finish({ allowEvent: true });
      });
  }

  /* Moves exactly these addresses from To and Cc to Bcc: added to Bcc first, so nobody is ever dropped. */
  function moveToBcc(item, moving) {
    var wanted = {};
    moving.forEach(function (a) { wanted[a.toLowerCase()] = true; });
    return Promise.all([call(function (cb) { item.to.getAsync(cb); }), call(function (cb) { item.cc.getAsync(cb); })]).then(function (lists) {
      var moved = [];
      var seen = {};
      var kept = lists.map(function (list) {
        return (list || []).filter(function (d) {
          var key = (d.emailAddress || "").toLowerCase();
          if (wanted[key]) {
            if (!seen[key]) {
              seen[key] = true;
              moved.push({ displayName: d.displayName, emailAddress: d.emailAddress });
            }
            return false;
          }
          return true;
        });
      });
      if (moved.length === 0) {
        return 0;
      }
      return call(function (cb) { item.bcc.addAsync(moved, cb); })
        .then(function () { return call(function (cb) { item.to.setAsync(kept[0], cb); }); })
        .then(function () { return call(function (cb) { item.cc.setAsync(kept[1], cb); }); })
        .then(function () { return moved.length; });
    });
  }

  /* The Move to Bcc button (the Smart Alerts dialog's, and the compose ribbon's): asks MailGuard
     again which addresses, moves them, and sends where Outlook can (Mailbox 1.15). */
  function moveToBccCommand(event) {
    var item = Office.context.mailbox.item;
    readDraft(item)
      .then(function (draft) { return postCheck(draft, budgetMs()); })
      .then(function (answer) {
        var fix = findFix(answer, "move-to-bcc")[0];
        return fix ? moveToBcc(item, fix.addresses) : 0;
      })
      .then(function (moved) {
        if (moved > 0 && typeof item.sendAsync === "function" && supports("1.15")) {
          return clearOverride(item).then(function () { return call(function (cb) { item.sendAsync(cb); }); });
        }
        return undefined;
      })
      .catch(function () { return undefined; })
      .then(function () { event.completed(); });
  }

  root.MailGuardAddin = { onMessageSendHandler: onMessageSendHandler, moveToBccCommand: moveToBccCommand, describe: describe };

  if (typeof Office !== "undefined" && Office.actions && typeof Office.actions.associate === "function") {
    Office.actions.associate("onMessageSendHandler", onMessageSendHandler);
    Office.actions.associate("mailguardMoveToBcc", moveToBccCommand);
  }
}(typeof globalThis !== "undefined" ? globalThis : this));
