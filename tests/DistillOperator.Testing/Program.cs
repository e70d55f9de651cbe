using DistillOperator.Testing.Emulator;

// dotnet run --project tests/DistillOperator.Testing -- serve --kubeconfig PATH [--port N]
if (args is not ["serve", .. var options])
{
    Console.Error.WriteLine("usage: DistillOperator.Testing serve --kubeconfig PATH [--port N]");
    return 2;
}

string? kubeconfig = null;
var port = 0;
for (var i = 0; i + 1 < options.Length; i += 2)
{
    switch (options[i])
    {
        case "--kubeconfig": kubeconfig = options[i + 1]; break;
        case "--port": port = int.Parse(options[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
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
Console.WriteLine($"Kubernetes API emulator on {emulator.BaseUri}; kubeconfig written to {kubeconfig}. Ctrl-C stops it.");
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
