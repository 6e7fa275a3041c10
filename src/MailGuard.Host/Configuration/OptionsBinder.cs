using System.Globalization;
using System.Reflection;

namespace MailGuard.Host.Configuration;

/// <summary>
/// Binds configuration onto options objects and collects every problem instead of stopping at the
/// first, which ConfigurationBinder does (it throws on the first unconvertible value and ignores
/// misspelt keys). Unknown keys in a bound section are problems too: a typo in a limit's name would
/// otherwise leave the default silently in force. Lists are replaced, not appended to, and a
/// single value may list items separated by commas (handy in environment variables).
/// </summary>
internal static class OptionsBinder
{
    public static void Bind(IConfigurationRoot root, IConfigurationSection section, object target, List<string> errors)
    {
        var properties = target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                errors.Add($"{child.Path}: unknown setting");
                continue;
            }

            var type = property.PropertyType;
            if (type == typeof(List<string>))
            {
                property.SetValue(target, ReadList(root, child));
            }
            else if (IsScalar(type))
            {
                if (child.Value is null)
                {
                    errors.Add($"{child.Path}: expected a single value");
                }
                else if (TryConvert(child.Value, type, out var value, out var problem))
                {
                    property.SetValue(target, value);
                }
                else
                {
                    errors.Add($"{child.Path}: '{child.Value}' {problem}");
                }
            }
            else
            {
                var nested = property.GetValue(target) ?? Activator.CreateInstance(type)!;
                Bind(root, child, nested, errors);
                property.SetValue(target, nested);
            }
        }
    }

    /// <summary>
    /// A list comes whole from the highest-precedence source that sets it. Merged configuration
    /// overlays lists index by index, so a file listing one network over shipped defaults listing
    /// two would otherwise keep the second default.
    /// </summary>
    private static List<string> ReadList(IConfigurationRoot root, IConfigurationSection section)
    {
        foreach (var provider in root.Providers.Reverse())
        {
            if (provider.TryGet(section.Path, out string? single) && single is not null)
            {
                return single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            }

            var keys = provider.GetChildKeys([], section.Path).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (keys.Count == 0)
            {
                continue;
            }

            return keys
                .OrderBy(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : int.MaxValue)
                .Select(k => provider.TryGet(section.Path + ConfigurationPath.KeyDelimiter + k, out string? v) ? v ?? string.Empty : string.Empty)
                .Where(v => v.Length > 0)
                .ToList();
        }

        return [];
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(double)
            || type == typeof(bool) || type == typeof(TimeSpan) || type.IsEnum;
    }

    private static bool TryConvert(string text, Type type, out object? value, out string problem)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        problem = string.Empty;
        value = null;
        var inv = CultureInfo.InvariantCulture;
        bool ok;
        if (type == typeof(string))
        {
            value = text;
            return true;
        }
        else if (type == typeof(int))
        {
            ok = int.TryParse(text, NumberStyles.Integer, inv, out int v);
            value = v;
            problem = "is not an integer";
        }
        else if (type == typeof(long))
        {
            ok = long.TryParse(text, NumberStyles.Integer, inv, out long v);
            value = v;
            problem = "is not an integer";
        }
        else if (type == typeof(double))
        {
            ok = double.TryParse(text, NumberStyles.Float, inv, out double v) && double.IsFinite(v);
            value = v;
            problem = "is not a number";
        }
        else if (type == typeof(bool))
        {
            ok = bool.TryParse(text, out bool v);
            value = v;
            problem = "is not true or false";
        }
        else if (type == typeof(TimeSpan))
        {
            ok = TimeSpan.TryParse(text, inv, out var v);
            value = v;
            problem = "is not a time span ([d.]hh:mm:ss)";
        }
        else
        {
            ok = Enum.TryParse(type, text, ignoreCase: true, out value) && Enum.IsDefined(type, value!) && !char.IsAsciiDigit(text.TrimStart()[0]);
            problem = "is not one of " + string.Join(", ", Enum.GetNames(type));
        }

        return ok;
    }
}
