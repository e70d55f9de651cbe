using DistillOperator.Bench;

// dotnet run -c Release --project bench/DistillOperator.Bench -- BENCHMARK [options]
return args switch
{
    ["teacher-cache", .. var rest] => TeacherCacheBenchmark.Run(rest, Console.Out),
    ["padding", .. var rest] => PaddingBenchmark.Run(rest, Console.Out),
    ["trainer-step", .. var rest] => TrainerStepBenchmark.Run(rest, Console.Out),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: DistillOperator.Bench teacher-cache [--data TSV] [--examples N] [--epochs N]");
    Console.Error.WriteLine("       DistillOperator.Bench padding [--data TSV] [--examples N]");
    Console.Error.WriteLine("       DistillOperator.Bench trainer-step [--data TSV] [--examples N] [--python PATH]");
    return 2;
}
