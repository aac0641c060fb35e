using System.Diagnostics.Tracing;

namespace HcpPlatform.ServiceDefaults.Tests;

/// <summary>
/// Records the OpenTelemetry SDK's self-diagnostics (EventSources "OpenTelemetry-*"). The SDK reports each exporter
/// it wires up ("Exporters added = ...OtlpMetricExporter", "...BatchLogRecordExportProcessor{OtlpLogExporter}") and
/// each export, which tells whether an OTLP exporter exists at all, wherever it would send.
/// </summary>
internal sealed class OtelDiagnostics : EventListener
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public bool Mentions(string text) => Lines.Any(line => line.Contains(text, StringComparison.Ordinal));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("OpenTelemetry", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var line = $"{eventData.EventSource.Name} {eventData.EventName}: {string.Join(" | ", eventData.Payload ?? [])}";
        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
