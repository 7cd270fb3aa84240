using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace AgentFunctions.Host.Telemetry;

/// <summary>
/// One line per entry: <c>time level category [InstanceId=…] message</c>. The instance id is taken from
/// the scopes (the host's, and the runtime's activity scope) or from the message's own arguments, so every
/// line about a run names it; ASP.NET Core's connection and trace scopes are left out to keep lines short.
/// </summary>
internal sealed class RunConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "agentfunctions";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var context = new List<string>();
        scopeProvider?.ForEachScope((scope, items) => Collect(scope, items), context);
        Collect(logEntry.State, context);

        textWriter.Write(DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture));
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        foreach (var item in context.Distinct(StringComparer.Ordinal))
        {
            textWriter.Write(" [");
            textWriter.Write(item);
            textWriter.Write(']');
        }

        textWriter.Write(' ');
        textWriter.WriteLine(message.ReplaceLineEndings(" "));
        if (logEntry.Exception is not null)
        {
            textWriter.WriteLine(logEntry.Exception.ToString());
        }
    }

    private static void Collect(object? state, List<string> items)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> values)
        {
            return;
        }

        foreach (var (key, value) in values)
        {
            if (key is "InstanceId" or "Activity" && value is not null)
            {
                items.Add(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
