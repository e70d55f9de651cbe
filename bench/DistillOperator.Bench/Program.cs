using DistillOperator.Bench;

// dotnet run -c Release --project bench/DistillOperator.Bench -- BENCHMARK [options]
return args switch
{
    ["teacher-cache", .. var rest] => TeacherCacheBenchmark.Run(rest, Console.Out),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: DistillOperator.Bench teacher-cache [--data TSV] [--examples N] [--epochs N]");
    return 2;
}
