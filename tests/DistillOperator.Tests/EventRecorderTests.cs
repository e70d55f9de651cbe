using DistillOperator.Controllers;
using DistillOperator.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DistillOperator.Tests;

/// <summary>Events are written in the background and never hold up, or fail, the controller's stop.</summary>
public sealed class EventRecorderTests
{
    [Fact]
    public async Task A_stop_while_the_API_server_does_not_answer_ends_after_the_drain_time_without_an_error()
    {
        var writes = 0;
        var coreV1 = new Mock<ICoreV1Operations>();
        coreV1.Setup(c => c.CreateNamespacedEventWithHttpMessagesAsync(It.IsAny<Corev1Event>(), It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<string?>(), It.IsAny<string?>(), It.IsAny<bool?>(), It.IsAny<IReadOnlyDictionary<string, IReadOnlyList<string>>?>(), It.IsAny<CancellationToken>()))
            .Returns(async (Corev1Event _, string _, string? _, string? _, string? _, bool? _, IReadOnlyDictionary<string, IReadOnlyList<string>>? _, CancellationToken cancellation) =>
            {
                Interlocked.Increment(ref writes);
                await Task.Delay(Timeout.Infinite, cancellation);
                return new HttpOperationResponse<Corev1Event>();
            });
        var client = new Mock<IKubernetes>();
        client.Setup(c => c.CoreV1).Returns(coreV1.Object);
        var recorder = new EventRecorder(client.Object, "replica-0", TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = recorder.RunAsync(stop.Token);
        var job = TestJobs.Named("slow-api").Build();
        for (var i = 0; i < 3; i++)
        {
            recorder.Record(job, "Normal", "Test", $"event {i}");
        }

        while (Volatile.Read(ref writes) == 0)
        {
            await Task.Delay(10);
        }

        var stopping = DateTime.UtcNow;
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(running.IsCompletedSuccessfully);
        Assert.InRange(DateTime.UtcNow - stopping, TimeSpan.Zero, EventRecorder.DrainTime * 5);
        Assert.Equal(2, Volatile.Read(ref writes));
    }
}
