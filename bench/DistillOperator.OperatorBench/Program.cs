using System.Globalization;
using DistillOperator.OperatorBench;

// dotnet bench/DistillOperator.OperatorBench/bin/Release/net10.0/DistillOperator.OperatorBench.dll [--jobs 1000] [--workers 4]
var jobs = 1000;
var workers = 4;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--jobs" when i + 1 < args.Length:
            jobs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--workers" when i + 1 < args.Length:
            workers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine("usage: DistillOperator.OperatorBench [--jobs N] [--workers N]");
            return 2;
    }
}

try
{
    await OperatorThroughputBenchmark.RunAsync(jobs, workers, Console.Out).ConfigureAwait(false);
    return 0;
}
catch (Exception e) when (e is TimeoutException or InvalidOperationException or HttpRequestException)
{
    Console.Error.WriteLine($"operator benchmark failed: {e.Message}");
    return 1;
}
