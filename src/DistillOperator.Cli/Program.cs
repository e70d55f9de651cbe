using DistillOperator.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops the run after a checkpoint; a second one ends the process at once.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("distill: stopping after a checkpoint (Ctrl-C again to quit at once)");
        cancellation.Cancel();
    }
};

return DistillCommandLine.Run(args, Console.Out, Console.Error, cancellation.Token);
