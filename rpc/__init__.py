"""RPC layer: the only package that imports oslo.messaging."""
import warnings

# oslo.messaging imports eventlet (unused: nothing is monkey-patched) and it prints a
# deprecation banner at import; filter it before any rpc module imports oslo.messaging.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
warnings.filterwarnings('ignore', category=DeprecationWarning, module=r'oslo_service.*')
warnings.filterwarnings('ignore', category=DeprecationWarning, module=r'eventlet.*')
