namespace Research.Torch;

public partial class Tensor
{
    /// <summary>
    /// Accumulates gradients of this tensor into the leaves' .grad. As in PyTorch, retain_graph
    /// defaults to create_graph, so a create_graph backward can be differentiated again.
    /// </summary>
    public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false)
    {
        Native.Check(Native.rt_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retain_graph ?? create_graph, create_graph));
        GC.KeepAlive(this);
        GC.KeepAlive(gradient);
    }

    /// <summary>
    /// The accumulated gradient as a new handle (the caller or the open scope owns it),
    /// or null when there is none. Writes through it change the stored gradient.
    /// </summary>
    public Tensor? grad
    {
        get
        {
            Native.Check(Native.rt_grad(Handle, out var r));
            GC.KeepAlive(this);
            return r == IntPtr.Zero ? null : new Tensor(r);
        }
        set
        {
            Native.Check(Native.rt_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
            GC.KeepAlive(this);
            GC.KeepAlive(value);
        }
    }

    /// <summary>Clears the gradient: dropped (set_to_none, PyTorch's default) or zeroed in place.</summary>
    public void zero_grad(bool set_to_none = true)
    {
        Native.Check(Native.rt_zero_grad(Handle, set_to_none));
        GC.KeepAlive(this);
    }

    public void retain_grad()
    {
        Native.Check(Native.rt_retain_grad(Handle));
        GC.KeepAlive(this);
    }
}

public static partial class torch
{
    public static unsafe class autograd
    {
        /// <summary>
        /// Gradients of outputs with respect to inputs (torch.autograd.grad). With create_graph
        /// the results are differentiable, for second derivatives and Hessian-vector products.
        /// An input the outputs do not depend on gives null when allow_unused is set.
        /// </summary>
        public static Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            if (grad_outputs != null && grad_outputs.Count != outputs.Count)
                throw new ArgumentException($"grad_outputs has {grad_outputs.Count} entries for {outputs.Count} outputs", nameof(grad_outputs));
            var outs = new IntPtr[outputs.Count];
            for (int i = 0; i < outs.Length; i++) outs[i] = outputs[i].Handle;
            var ins = new IntPtr[inputs.Count];
            for (int i = 0; i < ins.Length; i++) ins[i] = inputs[i].Handle;
            IntPtr[]? gos = null;
            if (grad_outputs != null)
            {
                gos = new IntPtr[grad_outputs.Count];
                for (int i = 0; i < gos.Length; i++) gos[i] = grad_outputs[i]?.Handle ?? IntPtr.Zero;
            }
            var res = new IntPtr[ins.Length];
            IntPtr e;
            fixed (IntPtr* po = outs)
            fixed (IntPtr* pi = ins)
            fixed (IntPtr* pg = gos)
            fixed (IntPtr* pr = res)
                e = Native.rt_autograd_grad(po, outs.Length, pg, pi, ins.Length, retain_graph ?? create_graph, create_graph, allow_unused, pr);
            GC.KeepAlive(outputs);
            GC.KeepAlive(inputs);
            GC.KeepAlive(grad_outputs);
            Native.Check(e);
            var result = new Tensor?[res.Length];
            for (int i = 0; i < res.Length; i++) result[i] = res[i] == IntPtr.Zero ? null : new Tensor(res[i]);
            return result;
        }
    }
}
