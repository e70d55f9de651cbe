using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using DistillOperator.Api.Schema;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Children;
using DistillOperator.Testing;
using DistillOperator.Testing.Emulator;
using DistillOperator.Testing.Emulator.Workloads;
using k8s;
using k8s.Models;

namespace DistillOperator.OperatorBench;

/// <summary>
/// N DistillationJobs created at once against the API emulator (scripted kubelet, pods keep running); the operator
/// runs as its own process. Prints jobs reaching Running per second, the same figure for a client that makes each
/// job's writes directly (the emulator's own throughput for them), their ratio, reconcile latency p50/p99 from the
/// operator's histogram, and the operator's peak memory.
/// </summary>
public static class OperatorThroughputBenchmark
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>Runs the benchmark and prints its figures.</summary>
    public static async Task RunAsync(int jobs, int workers, TextWriter output)
    {
        var folder = Directory.CreateTempSubdirectory("distill-opbench-").FullName;
        await using var emulator = await KubernetesEmulator.StartAsync(new ObjectStore(historyLimit: 1_000_000));
        using var admin = emulator.CreateClient();
        await CommittedCrd.InstallAsync(admin);
        await using var workloads = new WorkloadLoop(emulator.Store);
        workloads.Kubelet.Decide = _ => new PodOutcome.KeepRunning();

        // The first requests of a process JIT-compile the emulator's and the client's code paths: warm them, untimed.
        await DirectWritesAsync(emulator, 50, workers, "warmup");
        var direct = await DirectWritesAsync(emulator, jobs, workers, "direct");
        var baseline = direct.JobsPerSecond;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"emulator, the same writes made directly ({workers} clients): {baseline:F1} jobs/s; one write takes p50 {direct.P50Ms:F1} ms, p99 {direct.P99Ms:F1} ms"));
        // The operator watches every namespace: it measures the 1,000 jobs alone, not the baseline's left-overs too.
        foreach (var ns in new[] { "warmup", "direct" })
        {
            var left = await admin.CustomObjects.ListNamespacedCustomObjectAsync<DistillationJobList>(ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural);
            await Parallel.ForEachAsync(left.Items, async (job, token) =>
                await admin.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, job.Metadata.Name, cancellationToken: token));
        }

        var kubeconfig = Path.Combine(folder, "kubeconfig");
        emulator.WriteKubeconfig(kubeconfig);
        var port = FreePort();
        var operatorDll = BuiltAssembly.Path(typeof(OperatorThroughputBenchmark).Assembly, "OperatorAssembly");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [operatorDll, "--kubeconfig", kubeconfig, "--metrics-port", port.ToString(CultureInfo.InvariantCulture), "--workers", workers.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["Logging__LogLevel__Default"] = "Warning" },
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitAsync(async () => (await TryGet(http, "/readyz")) is not null, "the operator did not become ready");

            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
                await admin.CustomObjects.CreateNamespacedCustomObjectAsync(Job($"job-{i:D4}", "bench"), ApiGroup.Name, ApiGroup.Version, "bench", DistillationJob.Plural, cancellationToken: token));
            var created = clock.Elapsed;
            var type = emulator.Store.Find(ApiGroup.Name, ApiGroup.Version, DistillationJob.Plural)!;
            var batchJobs = emulator.Store.Find("batch", "v1", "jobs")!;
            var pods = emulator.Store.Find("", "v1", "pods")!;
            await WaitAsync(() => Task.FromResult(emulator.Store.Count(batchJobs, "bench", _ => true) == jobs), $"not all {jobs} trainer Jobs were created");
            var launched = clock.Elapsed;
            await WaitAsync(() => Task.FromResult(emulator.Store.Count(pods, "bench", p => (string?)p["status"]?["phase"] == "Running") == jobs), $"not all {jobs} trainer pods ran");
            var podsRunning = clock.Elapsed;
            await WaitAsync(() => Task.FromResult(emulator.Store.Count(type, "bench", j => (string?)j["status"]?["phase"] == "Running") == jobs), $"not all {jobs} jobs reached Running");
            var running = clock.Elapsed;
            var rate = jobs / running.TotalSeconds;
            process.Refresh();
            var peak = PeakMemoryBytes(process.Id);
            var metrics = await TryGet(http, "/metrics") ?? "";

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"operator: {jobs} jobs created in {created.TotalSeconds:F1} s; every trainer Job created after {launched.TotalSeconds:F1} s ({jobs / launched.TotalSeconds:F1} jobs/s), every pod running (emulated kubelet) after {podsRunning.TotalSeconds:F1} s, every job Running after {running.TotalSeconds:F1} s: {rate:F1} jobs/s ({workers} workers)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio operator / emulator-direct: {rate / baseline:F2}"));
            var (p50, p99, count, within) = Quantiles(metrics, "distill_reconcile_duration_seconds_bucket", 0.1);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reconcile latency over {count} reconciles (histogram bucket bounds): p50 <= {p50 * 1000:F1} ms, p99 <= {p99 * 1000:F1} ms; {within:P1} within 100 ms"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"operator peak memory (VmHWM) with {jobs} jobs: {peak / 1024.0 / 1024.0:F0} MB"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    // What the operator writes for one job to reach Running: identity, run spec, Job, and status patches with events.
    private static async Task<DirectWrites> DirectWritesAsync(KubernetesEmulator emulator, int jobs, int clients, string ns)
    {
        using var client = emulator.CreateClient();
        var seeds = new List<DistillationJob>();
        for (var i = 0; i < jobs; i++)
        {
            seeds.Add(await client.CustomObjects.CreateNamespacedCustomObjectAsync<DistillationJob>(Job($"{ns}-{i:D4}", ns), ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural));
        }

        var settings = new TrainerSettings("distill-trainer:bench", "IfNotPresent");
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        async Task Timed(Task request)
        {
            var started = Stopwatch.GetTimestamp();
            await request;
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (job, token) =>
        {
            await Timed(client.CoreV1.CreateNamespacedServiceAccountAsync(TrainerRbacBuilder.ServiceAccount(job), ns, cancellationToken: token));
            await Timed(client.RbacAuthorizationV1.CreateNamespacedRoleAsync(TrainerRbacBuilder.Role(job), ns, cancellationToken: token));
            await Timed(client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(TrainerRbacBuilder.RoleBinding(job), ns, cancellationToken: token));
            await Timed(client.CoreV1.CreateNamespacedConfigMapAsync(RunSpecBuilder.Build(job), ns, cancellationToken: token));
            await Timed(client.BatchV1.CreateNamespacedJobAsync(TrainerJobBuilder.Build(job, settings), ns, cancellationToken: token));
            foreach (var phase in new[] { "Pending", "Running" })
            {
                var patch = new V1Patch($$$"""{"status":{"phase":"{{{phase}}}","observedGeneration":1}}""", V1Patch.PatchType.MergePatch);
                await Timed(client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, ApiGroup.Name, ApiGroup.Version, ns, DistillationJob.Plural, job.Metadata.Name, cancellationToken: token));
                await Timed(client.CoreV1.CreateNamespacedEventAsync(new Corev1Event { Metadata = new V1ObjectMeta { GenerateName = job.Metadata.Name + "." }, InvolvedObject = new V1ObjectReference { Name = job.Metadata.Name }, Reason = phase, Message = phase, Type = "Normal" }, ns, cancellationToken: token));
            }
        });
        var rate = jobs / clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToList();
        return new DirectWrites(rate, sorted[sorted.Count / 2], sorted[(int)(sorted.Count * 0.99)]);
    }

    // The emulator's throughput for the writes the operator makes per job, and its latency for one of those writes.
    private sealed record DirectWrites(double JobsPerSecond, double P50Ms, double P99Ms);

    private static DistillationJob Job(string name, string ns) => TestJobs.Named(name).With(j =>
    {
        j.Metadata.NamespaceProperty = ns;
        j.Metadata.Generation = null;
        j.Spec.RunPolicy.TtlSecondsAfterFinished = null;
    }).Build();

    private static async Task WaitAsync(Func<Task<bool>> done, string failure)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure);
            }

            await Task.Delay(50);
        }
    }

    private static async Task<string?> TryGet(HttpClient http, string path)
    {
        try
        {
            var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static long PeakMemoryBytes(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    // Upper bucket bounds holding the 50th and 99th percentiles, summed over every label set.
    // Also the share of observations within the target bound (a bucket bound).
    private static (double P50, double P99, double Count, double WithinTarget) Quantiles(string metrics, string bucket, double target)
    {
        var buckets = metrics.Split('\n')
            .Where(l => l.StartsWith(bucket + "{", StringComparison.Ordinal))
            .Select(l => (Le: l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..].Split('"')[0], Count: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .GroupBy(b => b.Le == "+Inf" ? double.PositiveInfinity : double.Parse(b.Le, CultureInfo.InvariantCulture))
            .Select(g => (Le: g.Key, Count: g.Sum(b => b.Count)))
            .OrderBy(b => b.Le)
            .ToList();
        if (buckets.Count == 0)
        {
            throw new InvalidOperationException($"no {bucket} in the operator's metrics");
        }

        var total = buckets[^1].Count;
        double At(double q) => buckets.First(b => b.Count >= q * total).Le;
        return (At(0.5), At(0.99), total, buckets.First(b => b.Le >= target).Count / total);
    }
}
