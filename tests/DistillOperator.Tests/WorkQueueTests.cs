using DistillOperator.Controllers;
using Microsoft.Extensions.Time.Testing;

namespace DistillOperator.Tests;

public sealed class WorkQueueTests
{
    private static readonly ObjectKey A = new("ns", "a");
    private static readonly ObjectKey B = new("ns", "b");

    [Fact]
    public async Task A_key_added_twice_while_waiting_is_handed_out_once()
    {
        using var queue = new WorkQueue();
        queue.Add(A);
        queue.Add(B);
        queue.Add(A);

        Assert.Equal(2, queue.Depth);
        Assert.Equal(A, await queue.TakeAsync(CancellationToken.None));
        Assert.Equal(B, await queue.TakeAsync(CancellationToken.None));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task A_key_being_processed_is_not_handed_to_a_second_worker_but_comes_back_when_done()
    {
        using var queue = new WorkQueue();
        queue.Add(A);
        var taken = await queue.TakeAsync(CancellationToken.None);
        queue.Add(A); // changed while a worker reconciles it

        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.TakeAsync(wait.Token));

        queue.Done(taken);
        Assert.Equal(A, await queue.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_delayed_key_arrives_at_its_time_and_the_earlier_of_two_delays_wins()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time);
        queue.AddAfter(A, TimeSpan.FromSeconds(60));
        queue.AddAfter(A, TimeSpan.FromSeconds(30));
        queue.AddAfter(A, TimeSpan.FromSeconds(90));

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, queue.Depth);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Depth);
        Assert.Equal(A, await queue.TakeAsync(CancellationToken.None));
        queue.Done(A);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, queue.Depth); // the later delays were folded into the first
    }

    [Fact]
    public void Failures_back_off_exponentially_up_to_the_maximum_and_success_resets_them()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        Assert.Equal(
            [1, 2, 4, 8, 10, 10],
            Enumerable.Range(0, 6).Select(_ => queue.AddRateLimited(A).TotalSeconds));
        queue.Forget(A);
        Assert.Equal(TimeSpan.FromSeconds(1), queue.AddRateLimited(A));
        Assert.Equal(TimeSpan.FromSeconds(1), queue.AddRateLimited(B)); // per key
    }

    [Fact]
    public void A_requeue_further_than_a_day_comes_back_after_a_day()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time);
        queue.AddAfter(A, TimeSpan.FromDays(3650));

        time.Advance(WorkQueue.MaxDelay - TimeSpan.FromSeconds(1));
        Assert.Equal(0, queue.Depth);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Depth);
    }
}
