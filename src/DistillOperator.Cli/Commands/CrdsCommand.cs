using System.CommandLine;
using DistillOperator.Api.Schema;

namespace DistillOperator.Cli.Commands;

/// <summary><c>distill crds</c>: prints the CustomResourceDefinition generated from the API types.</summary>
internal static class CrdsCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("crds", "Print the DistillationJob CustomResourceDefinition (the content of crds/" + CrdGenerator.FileName + ").");
        command.SetAction(_ =>
        {
            output.Write(CrdGenerator.GenerateYaml());
            return 0;
        });
        return command;
    }
}
