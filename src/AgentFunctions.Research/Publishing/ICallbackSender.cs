using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Publishing;

/// <summary>Delivers a run's result to the submitter's callback URL.</summary>
public interface ICallbackSender
{
    /// <summary>POSTs the result.</summary>
    /// <param name="callbackUrl">The absolute http(s) URL the request named.</param>
    /// <param name="instanceId">The run, sent as the <c>X-AgentFunctions-Instance</c> header.</param>
    /// <param name="result">The run's output.</param>
    /// <param name="cancellationToken">Cancels the POST.</param>
    /// <exception cref="CallbackDeliveryException">A failure worth retrying (network, timeout, 408, 429, 5xx).</exception>
    /// <exception cref="Orchestration.NonRetryableException">The receiver refused the result for good (another 4xx, a redirect).</exception>
    /// <exception cref="CallbackUrlRefusedException">The URL, or an address its host resolves to, is refused by the callback policy.</exception>
    Task SendAsync(Uri callbackUrl, string instanceId, ResearchResult result, CancellationToken cancellationToken);
}
