using Spectre.Console;

namespace DistillOperator.Cli.Commands;

/// <summary>A Spectre console writing to the command's output: live and coloured on a terminal, plain text when redirected.</summary>
internal static class ConsoleFor
{
    public static IAnsiConsole Writer(TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }
}
