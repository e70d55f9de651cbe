using System.Runtime.InteropServices;
using DistillOperator.Trainer;

using var cancellation = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    if (cancellation.IsCancellationRequested)
    {
        return; // a second signal ends the process at once
    }

    context.Cancel = true; // keep running until the trainer has written its checkpoint
    Console.Out.WriteLine($"{context.Signal}: stopping after a checkpoint ({context.Signal} again to quit at once)");
    cancellation.Cancel();
}

using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
return TrainerCommand.Run(args, Console.Out, Console.Error, cancellation.Token);
