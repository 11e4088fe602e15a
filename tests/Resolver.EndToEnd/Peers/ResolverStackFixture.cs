namespace Resolver.EndToEnd.Peers;

/// <summary>One <see cref="ResolverStack"/> shared by the tests of a class that do not disturb each other.</summary>
public sealed class ResolverStackFixture : IAsyncLifetime
{
    private ResolverStack? _stack;

    internal ResolverStack Stack => _stack ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>The resolver's DNS port, for dig.</summary>
    internal int Port => Stack.Port;

    public async Task InitializeAsync() => _stack = await ResolverStack.StartAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
