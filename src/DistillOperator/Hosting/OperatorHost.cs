using DistillOperator.Metrics;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DistillOperator.Hosting;

/// <summary>Builds the operator process: the controller as a hosted service, and /metrics, /healthz, /readyz on the metrics port.</summary>
public static class OperatorHost
{
    /// <summary>The web application of the operator with <paramref name="options"/>; start it with RunAsync or StartAsync.</summary>
    public static WebApplication Build(OperatorOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = options.Kubeconfig is { } path
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
            : KubernetesClientConfiguration.BuildDefaultConfig();
        options.LeaseNamespace ??= KubernetesClientConfiguration.IsInCluster() ? config.Namespace : "default";

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://0.0.0.0:{options.MetricsPort}");
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(json =>
        {
            json.IncludeScopes = true;
            json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            json.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(config));
        builder.Services.AddSingleton<OperatorState>();
        builder.Services.AddSingleton<OperatorMetrics>();
        builder.Services.AddHostedService<OperatorService>();
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = DistillationController.DrainTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("distill-operator", serviceInstanceId: options.Identity)).WithMetrics(metrics => metrics.AddMeter(OperatorMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", (OperatorState state) => state.Fault is null ? Results.Text("ok\n") : Results.Text($"controller stopped: {state.Fault}\n", statusCode: StatusCodes.Status500InternalServerError));
        app.MapGet("/readyz", (OperatorState state) => state.Ready
            ? Results.Text(state.Leading ? "ok: leading, caches synced\n" : "ok: standby\n")
            : Results.Text("not ready: caches not synced\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }
}
