using DistillOperator.Api.Schema;
using DistillOperator.Testing.Emulator;
using k8s;
using k8s.Models;

namespace DistillOperator.Testing.Tests;

/// <summary>A fresh emulator with the project's CRD installed through the client, as a user would install it.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public KubernetesEmulator Emulator { get; private set; } = null!;

    public Kubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await KubernetesEmulator.StartAsync();
        Client = Emulator.CreateClient();
        await CommittedCrd.InstallAsync(Client);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}
