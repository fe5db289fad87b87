import Kube

extension TrafficRouterRegistry {
    /// Every router Fledge ships, talking to the API through `client`.
    public static func standard(client: KubeClient, fieldManager: String) -> TrafficRouterRegistry {
        var registry = TrafficRouterRegistry()
        registry.register(GatewayAPIRouter.router(client: client, fieldManager: fieldManager), for: .gatewayAPI)
        registry.register(IstioRouter.router(client: client, fieldManager: fieldManager), for: .istio)
        registry.register(NginxRouter(client: client, fieldManager: fieldManager), for: .nginx)
        return registry
    }
}
