using System.Net;

namespace MailGuard.Inspection.Extraction;

/// <summary>The attributes whose text a client shows beside the page's own (HtmlTextExtractor).</summary>
internal sealed partial class HtmlTextExtractor
{
    // The alt text a client shows when it does not load an image, the title it shows over an
    // element, a form field's value and placeholder (clients that draw forms show them in the
    // box), and an attribute a style sheet shows (content: attr(data-x)): read with the
    // comments, apart from the visible text.
    private void ShownAttributes(string tag, int from, bool field)
    {
        // Most tags (Outlook's long style attributes) have neither: one vectorised look each.
        var attributes = tag.AsSpan(from);
        var shownByStyle = _css.Attributes;
        if (!attributes.Contains("alt", StringComparison.OrdinalIgnoreCase) && !attributes.Contains("title", StringComparison.OrdinalIgnoreCase) && shownByStyle.Count == 0
            && !(field && (attributes.Contains("value", StringComparison.OrdinalIgnoreCase) || attributes.Contains("placeholder", StringComparison.OrdinalIgnoreCase))))
        {
            return;
        }

        int i = from;
        while (i < tag.Length)
        {
            while (i < tag.Length && (char.IsWhiteSpace(tag[i]) || tag[i] == '/'))
            {
                i++;
            }

            int nameStart = i;
            while (i < tag.Length && !char.IsWhiteSpace(tag[i]) && tag[i] is not ('=' or '/'))
            {
                i++;
            }

            var attribute = tag.AsSpan(nameStart, i - nameStart);
            while (i < tag.Length && char.IsWhiteSpace(tag[i]))
            {
                i++;
            }

            if (i >= tag.Length || tag[i] != '=')
            {
                continue;
            }

            i++;
            while (i < tag.Length && char.IsWhiteSpace(tag[i]))
            {
                i++;
            }

            int valueStart, valueEnd;
            if (i < tag.Length && tag[i] is '"' or '\'')
            {
                valueStart = i + 1;
                valueEnd = tag.IndexOf(tag[i], valueStart);
                valueEnd = valueEnd < 0 ? tag.Length : valueEnd;
                i = Math.Min(tag.Length, valueEnd + 1);
            }
            else
            {
                valueStart = i;
                while (i < tag.Length && !char.IsWhiteSpace(tag[i]))
                {
                    i++;
                }

                valueEnd = i;
            }

            if (attribute.Equals("alt", StringComparison.OrdinalIgnoreCase) || attribute.Equals("title", StringComparison.OrdinalIgnoreCase)
                || (field && (attribute.Equals("value", StringComparison.OrdinalIgnoreCase) || attribute.Equals("placeholder", StringComparison.OrdinalIgnoreCase)))
                || (shownByStyle.Count > 0 && shownByStyle.Contains(attribute.ToString())))
            {
                string value = tag[valueStart..valueEnd];
                _hidden.Append(value.Contains('&') ? WebUtility.HtmlDecode(value) : value);
                _hidden.Append('\n');
            }
        }
    }
}
