using TorchSharp;

namespace DistillOperator.Training.Models;

/// <summary>
/// A module that only groups children under names, so parameter names follow Hugging Face's layout
/// (<c>attention.self.query.weight</c>) while the arithmetic stays in the layer that owns the children.
/// </summary>
internal sealed class NamedContainer : torch.nn.Module
{
    public NamedContainer(string name, params (string Name, torch.nn.Module Module)[] children)
        : base(name)
    {
        foreach (var (childName, module) in children)
        {
            register_module(childName, module);
        }
    }
}
