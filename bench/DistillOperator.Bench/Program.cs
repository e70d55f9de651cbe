using DistillOperator.Bench;
using DistillOperator.Bench.Quality;

// dotnet run -c Release --project bench/DistillOperator.Bench -- BENCHMARK [options]
return args switch
{
    ["teacher-cache", .. var rest] => TeacherCacheBenchmark.Run(rest, Console.Out),
    ["padding", .. var rest] => PaddingBenchmark.Run(rest, Console.Out),
    ["trainer-step", .. var rest] => TrainerStepBenchmark.Run(rest, Console.Out),
    ["quality", .. var rest] => QualityBenchmark.Run(rest, Console.Out, Console.Error),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: DistillOperator.Bench teacher-cache [--data TSV] [--examples N] [--epochs N]");
    Console.Error.WriteLine("       DistillOperator.Bench padding [--data TSV] [--examples N]");
    Console.Error.WriteLine("       DistillOperator.Bench trainer-step [--data TSV] [--examples N] [--python PATH]");
    Console.Error.WriteLine("       DistillOperator.Bench quality [--quick] [--table-only] [--data DIR] [--results DIR] [--work DIR] [--train-examples N] [--seeds 1,2,3] [--strategies none,soft,...] [--schedules natural,equal-steps]");
    return 2;
}
