using DistillOperator.Cli;

return DistillCommandLine.Run(args, Console.Out, Console.Error);
