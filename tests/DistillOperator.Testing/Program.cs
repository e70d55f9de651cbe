using DistillOperator.Testing.Emulator;
using DistillOperator.Testing.Emulator.Workloads;

// dotnet run --project tests/DistillOperator.Testing -- serve --kubeconfig PATH [--port N] [--kubelet scripted|process]
//   [--trainer PATH/DistillOperator.Trainer.dll] [--claims DIR]
// In process mode, pods of image distill-trainer run the locally built trainer; pvc:// claims are folders under --claims.
if (args is not ["serve", .. var options])
{
    Console.Error.WriteLine("usage: DistillOperator.Testing serve --kubeconfig PATH [--port N] [--kubelet scripted|process] [--trainer DLL] [--claims DIR]");
    return 2;
}

string? kubeconfig = null;
var port = 0;
var kubeletMode = "scripted";
var trainer = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/DistillOperator.Trainer/bin/Debug/net10.0/DistillOperator.Trainer.dll"));
var claims = Path.Combine(Path.GetTempPath(), "distill-emulator", "claims");
for (var i = 0; i + 1 < options.Length; i += 2)
{
    switch (options[i])
    {
        case "--kubeconfig": kubeconfig = options[i + 1]; break;
        case "--port": port = int.Parse(options[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--kubelet": kubeletMode = options[i + 1]; break;
        case "--trainer": trainer = Path.GetFullPath(options[i + 1]); break;
        case "--claims": claims = Path.GetFullPath(options[i + 1]); break;
        default:
            Console.Error.WriteLine($"unknown option {options[i]}");
            return 2;
    }
}

if (kubeconfig is null)
{
    Console.Error.WriteLine("serve: --kubeconfig PATH is required");
    return 2;
}

await using var emulator = await KubernetesEmulator.StartAsync(port: port);
emulator.WriteKubeconfig(kubeconfig);
using var processKubelet = kubeletMode == "process"
    ? new ProcessKubelet(emulator.Store, new Dictionary<string, string[]> { ["distill-trainer"] = ["dotnet", trainer] }, claims, Path.Combine(Path.GetTempPath(), "distill-emulator", "pods"))
    : null;
IKubelet kubelet = processKubelet is not null ? processKubelet : new ScriptedKubelet(emulator.Store);
emulator.PodLogs = kubelet.Logs;
await using var workloads = new WorkloadLoop(emulator.Store, kubelet);
Console.WriteLine($"Kubernetes API emulator on {emulator.BaseUri} ({kubeletMode} kubelet); kubeconfig written to {kubeconfig}. Ctrl-C stops it.");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;
